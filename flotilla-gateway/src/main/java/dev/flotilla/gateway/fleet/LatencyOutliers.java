package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Passive latency-outlier detection: per node and model, a bounded window of recent time-to-first-token
 * samples (at most {@link #MAX_SAMPLES}, none older than {@code health.outlierWindow}); a node is an
 * outlier for a model when the median of its window exceeds {@code health.outlierFactor} times the
 * median of its peers' medians for that model. Only nodes with at least {@code health.outlierMinSamples}
 * samples count, and at least two such peers are needed: with fewer there is no fleet to compare
 * against. A node already judged slow recovers only below {@link #RECOVERY_RATIO} of the factor
 * (hysteresis, so a node near the line does not flap). Time comes from the injected clock.
 * Thread-safe (one lock: samples are few and the work per call is small).
 *
 * <p>Every streamed request ends in {@link #record} and {@link #assess}, so a window keeps its median
 * and 95th percentile until a sample enters or leaves it, and the peers' medians are gathered into one
 * reused array: judging a node costs one pass over the peers' cached figures and a sort of those
 * figures, not a copy and sort of every peer's window (which was about 0.1 ms per request with 128
 * nodes and 0.9 ms with 1,024, in LatencySampleBenchmark of flotilla-jmh).
 */
final class LatencyOutliers {
    /** Most samples kept per node and model. */
    static final int MAX_SAMPLES = 50;
    /** A slow node recovers below this fraction of {@code outlierFactor} × fleet. */
    static final double RECOVERY_RATIO = 0.8;
    /** Peers with enough samples needed before a node is judged at all. */
    static final int MIN_PEERS = 2;

    private final double factor;
    private final int minSamples;
    private final long windowMillis;
    private final Clock clock;
    /** node → model → samples, oldest first. */
    private final Map<String, Map<String, Window>> samples = new HashMap<>();
    /** Where a window's samples are sorted (under the lock). */
    private final double[] sorted = new double[MAX_SAMPLES];
    /** Where the peers' medians are gathered and sorted (under the lock); grows with the fleet. */
    private double[] peerMedians = new double[16];

    LatencyOutliers(GatewayConfig.Health rules, Clock clock) {
        this(rules.outlierFactor(), rules.outlierMinSamples(), rules.outlierWindow(), clock);
    }

    LatencyOutliers(double factor, int minSamples, Duration window, Clock clock) {
        this.factor = factor;
        this.minSamples = minSamples;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** What the samples say about one node. */
    sealed interface Verdict {
        /** The reason for the log line and the transition. */
        String reason();

        /** The node is an outlier for this model. */
        record Slow(String model, double nodeMillis, double fleetMillis) implements Verdict {
            @Override
            public String reason() {
                return String.format(Locale.ROOT, "latency outlier: p50 TTFB %.0f ms vs fleet %.0f ms (model %s)",
                        nodeMillis, fleetMillis, model);
            }
        }

        /** The node is within bounds for every model it could be compared on (or there was nothing to compare). */
        record Normal() implements Verdict {
            @Override
            public String reason() {
                return "latency within bounds of the fleet";
            }
        }
    }

    /** Records one request's time to first token on the node for the model. */
    synchronized void record(String node, String model, Duration timeToFirstToken) {
        Window w = samples.computeIfAbsent(node, n -> new HashMap<>()).computeIfAbsent(model, m -> new Window());
        w.samples.addLast(new Sample(clock.millis(), timeToFirstToken.toNanos() / 1e6));
        if (w.samples.size() > MAX_SAMPLES) {
            w.samples.removeFirst();
        }
        w.changed = true;
    }

    /** Drops every sample of a node that has left the fleet (it is no longer anyone's peer). */
    synchronized void forget(String node) {
        samples.remove(node);
    }

    /**
     * Judges the node against its peers.
     *
     * @param node    the node to judge
     * @param wasSlow whether it is currently judged slow (then the lower recovery threshold applies)
     * @param peerUp  which other nodes count as peers (those passing their checks)
     */
    synchronized Verdict assess(String node, boolean wasSlow, Predicate<String> peerUp) {
        long now = clock.millis();
        Map<String, Window> own = samples.get(node);
        if (own == null) {
            return new Verdict.Normal();
        }
        double threshold = wasSlow ? factor * RECOVERY_RATIO : factor;
        for (Map.Entry<String, Window> e : own.entrySet()) {
            double mine = median(e.getValue(), now);
            if (Double.isNaN(mine)) {
                continue;
            }
            int peers = 0;
            for (Map.Entry<String, Map<String, Window>> other : samples.entrySet()) {
                Window w = other.getValue().get(e.getKey());
                if (w == null || other.getKey().equals(node)) {
                    continue;
                }
                double m = median(w, now);
                if (Double.isNaN(m) || !peerUp.test(other.getKey())) {
                    continue;
                }
                if (peers == peerMedians.length) {
                    peerMedians = Arrays.copyOf(peerMedians, 2 * peers);
                }
                peerMedians[peers++] = m;
            }
            if (peers < MIN_PEERS) {
                continue;
            }
            double fleet = median(peerMedians, peers);
            boolean slow = wasSlow ? mine >= threshold * fleet : mine > threshold * fleet;
            if (slow) {
                return new Verdict.Slow(e.getKey(), mine, fleet);
            }
        }
        return new Verdict.Normal();
    }

    /** The median of the node's samples for the model in the window, NaN with too few (for the admin view and tests). */
    synchronized double medianMillis(String node, String model) {
        Map<String, Window> own = samples.get(node);
        Window w = own == null ? null : own.get(model);
        return w == null ? Double.NaN : median(w, clock.millis());
    }

    /**
     * The node's median time to first token per model over the window in ms, for the models with
     * enough samples (the admin view: why a node is, or is not, judged slow).
     */
    synchronized Map<String, Double> medians(String node) {
        Map<String, Window> own = samples.get(node);
        if (own == null) {
            return Map.of();
        }
        long now = clock.millis();
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Window> e : own.entrySet()) {
            double m = median(e.getValue(), now);
            if (!Double.isNaN(m)) {
                out.put(e.getKey(), m);
            }
        }
        return out;
    }

    /**
     * Per model, the median of the medians of the nodes that pass {@code counted}: the fleet figure
     * a node is compared with (models with fewer than {@link #MIN_PEERS} such nodes are left out).
     */
    synchronized Map<String, Double> fleetMedians(Predicate<String> counted) {
        long now = clock.millis();
        Map<String, List<Double>> perModel = new java.util.TreeMap<>();
        for (Map.Entry<String, Map<String, Window>> node : samples.entrySet()) {
            if (!counted.test(node.getKey())) {
                continue;
            }
            for (Map.Entry<String, Window> e : node.getValue().entrySet()) {
                double m = median(e.getValue(), now);
                if (!Double.isNaN(m)) {
                    perModel.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(m);
                }
            }
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        perModel.forEach((model, medians) -> {
            if (medians.size() >= MIN_PEERS) {
                double[] v = medians.stream().mapToDouble(Double::doubleValue).toArray();
                out.put(model, median(v, v.length));
            }
        });
        return out;
    }

    /** The 95th percentile of the node's samples for the model in the window (nearest rank), NaN with too few. */
    synchronized double p95Millis(String node, String model) {
        var m = samples.get(node);
        Window w = m == null ? null : m.get(model);
        if (w == null || Double.isNaN(median(w, clock.millis()))) {
            return Double.NaN;
        }
        return w.p95;
    }

    /**
     * Drops samples older than the window, then the median, or NaN when fewer than the minimum remain;
     * recomputed (with the 95th percentile) only when a sample entered or left the window.
     */
    private double median(Window w, long now) {
        ArrayDeque<Sample> q = w.samples;
        long oldest = now - windowMillis;
        while (!q.isEmpty() && q.peekFirst().atMillis() < oldest) {
            q.removeFirst();
            w.changed = true;
        }
        if (w.changed) {
            w.changed = false;
            int n = q.size();
            if (n < minSamples || n == 0) {
                w.median = Double.NaN;
                w.p95 = Double.NaN;
            } else {
                int i = 0;
                for (Sample s : q) {
                    sorted[i++] = s.millis();
                }
                w.median = median(sorted, n);
                w.p95 = sorted[(int) Math.ceil(0.95 * n) - 1];
            }
        }
        return w.median;
    }

    /** Sorts the first {@code n} values and returns their median. */
    private static double median(double[] v, int n) {
        Arrays.sort(v, 0, n);
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** One node's samples for one model, and the figures computed from them while they stay the same. */
    private static final class Window {
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        boolean changed = true;
        double median = Double.NaN;
        double p95 = Double.NaN;
    }

    private record Sample(long atMillis, double millis) {
    }
}
