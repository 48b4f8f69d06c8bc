package dev.flotilla.bench.sim.matrix;

import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSimulator;
import dev.flotilla.bench.sim.SimReport;
import dev.flotilla.bench.sim.TraceRequests;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.protocol.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a {@link MatrixSpec}: for every fleet and workload it computes the capacity
 * ({@link CapacityModel}), for every load generates one trace at {@code load x capacity}
 * requests/s, and simulates that same trace under every policy. Cells run on a pool of
 * {@code threads}: each builds its own simulator (own virtual clock, engines, scheduler and
 * picker), and the only things cells share are the immutable trace records and the factory.
 */
public final class MatrixRunner {
    /** Rate and length of the trace the capacity is computed from (its lengths, not its arrivals, matter). */
    private static final double SAMPLE_RATE = 10;
    private static final double SAMPLE_SECONDS = 600;

    private final SimulatorFactory factory;
    private final int threads;
    private final Consumer<String> progress;
    private final CapacityModel capacityModel = new CapacityModel(Endpoint.CHAT);

    /**
     * @param factory  builds each cell's simulator from the policy name
     * @param threads  cells run at once (at least 1)
     * @param progress receives one line per finished cell (called from the pool's threads, one at a time)
     */
    public MatrixRunner(SimulatorFactory factory, int threads, Consumer<String> progress) {
        this.factory = Objects.requireNonNull(factory, "factory");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected >= 1)");
        }
        this.threads = threads;
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** The capacities the run used, by fleet and workload name, and every cell in spec order. */
    public record MatrixResult(MatrixSpec spec, Map<String, Map<String, CapacityModel.Capacity>> capacities,
                               List<CellResult> cells) {
        public MatrixResult {
            cells = List.copyOf(cells);
        }
    }

    /**
     * Runs every cell.
     *
     * @throws IllegalArgumentException when a policy is unknown to the factory (checked before anything runs)
     */
    public MatrixResult run(MatrixSpec spec) {
        MatrixSpec.NamedFleet first = spec.fleets().getFirst();
        for (String policy : spec.policies()) {
            factory.create(first.fleet(), policy, Slo.NONE, spec.seed());
        }
        Map<String, Map<String, CapacityModel.Capacity>> capacities = new LinkedHashMap<>();
        List<Cell> cells = new ArrayList<>();
        for (MatrixSpec.NamedFleet fleet : spec.fleets()) {
            Map<String, CapacityModel.Capacity> byWorkload = new LinkedHashMap<>();
            capacities.put(fleet.name(), byWorkload);
            for (SimWorkload workload : spec.workloads()) {
                List<TraceRecord> sample = TraceGenerator.generate(workload.trace(SAMPLE_RATE, SAMPLE_SECONDS, spec.seed()));
                CapacityModel.Capacity capacity = capacityModel.capacity(fleet.fleet(), sample);
                byWorkload.put(workload.name(), capacity);
                progress.accept(String.format(Locale.ROOT, "capacity %s / %s: %.2f req/s (%s)", fleet.name(),
                        workload.name(), capacity.requestsPerSecond(), capacity.describe()));
                for (double load : spec.loads()) {
                    double rate = capacity.requestsPerSecond() * load / 100;
                    TraceGroup trace = new TraceGroup(workload, rate, spec.durationSeconds(), spec.seed(),
                            spec.policies().size());
                    for (String policy : spec.policies()) {
                        cells.add(new Cell(fleet, workload, load, policy, capacity.requestsPerSecond(), rate, trace,
                                spec.slo(workload), spec.seed()));
                    }
                }
            }
        }
        AtomicInteger done = new AtomicInteger();
        List<CellResult> results = new ArrayList<>(cells.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<CellResult>> futures = new ArrayList<>(cells.size());
            for (Cell cell : cells) {
                futures.add(pool.submit(() -> {
                    CellResult r = cell.run(factory);
                    report(r, done.incrementAndGet(), cells.size());
                    return r;
                }));
            }
            for (Future<CellResult> f : futures) {
                results.add(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted after " + done.get() + " of " + cells.size() + " cells", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        return new MatrixResult(spec, capacities, results);
    }

    private synchronized void report(CellResult r, int done, int total) {
        progress.accept(String.format(Locale.ROOT, "[%d/%d] %s / %s: %d requests, p99 TTFT %.0f ms, %.2f req/s (%.1f s)",
                done, total, r.group(), r.policy(), r.requests(), r.p99TtftMs(), r.requestThroughput(),
                r.wallSeconds()));
    }

    /**
     * The trace of one fleet, workload and load, generated by the first cell that needs it and
     * dropped once every policy has run it, so that at most about {@code threads} traces are held.
     */
    private static final class TraceGroup {
        private final SimWorkload workload;
        private final double rate;
        private final double seconds;
        private final long seed;
        private int users;
        private List<TraceRecord> records;

        TraceGroup(SimWorkload workload, double rate, double seconds, long seed, int users) {
            this.workload = workload;
            this.rate = rate;
            this.seconds = seconds;
            this.seed = seed;
            this.users = users;
        }

        synchronized List<TraceRecord> acquire() {
            if (records == null) {
                records = TraceGenerator.generate(workload.trace(rate, seconds, seed));
            }
            return records;
        }

        synchronized void release() {
            if (--users == 0) {
                records = null;
            }
        }
    }

    private record Cell(MatrixSpec.NamedFleet fleet, SimWorkload workload, double load, String policy, double capacity,
                        double rate, TraceGroup trace, Slo slo, long seed) {
        CellResult run(SimulatorFactory factory) {
            List<TraceRecord> records = trace.acquire();
            try {
                long prompt = 0;
                long maxTokens = 0;
                for (TraceRecord r : records) {
                    prompt += r.promptTokens();
                    maxTokens += r.outputTokens();
                }
                FleetSimulator simulator = factory.create(fleet.fleet(), policy, slo, seed);
                long started = System.nanoTime();
                SimReport report = simulator.run(TraceRequests.of(records));
                double wall = (System.nanoTime() - started) / 1e9;
                BenchReport b = report.bench();
                return new CellResult(fleet.name(), fleet.heterogeneous(), workload.name(), load, policy, capacity, rate,
                        records.size(), prompt, maxTokens, b.completed(), b.failed(), b.ttft().p50(), b.ttft().p99(),
                        b.itl().p99(), b.requestThroughput(), b.outputThroughput(),
                        b.requestGoodput() == null ? Double.NaN : b.requestGoodput(),
                        b.goodputRatio() == null ? Double.NaN : b.goodputRatio(), report.prefixCacheHitRate(),
                        b.duration(), slo.ttftMs(), slo.itlMs(), wall);
            } finally {
                trace.release();
            }
        }
    }
}
