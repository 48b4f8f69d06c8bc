package dev.flotilla.planner.bench;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.milp.SolveStatus;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.solver.Allocation;
import dev.flotilla.planner.solver.MilpPlanSolver;
import dev.flotilla.planner.solver.Solution;
import dev.flotilla.planner.solver.Solver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Runs several solvers on one problem with the same candidates and compares them: time to size the
 * candidates (one thread and in parallel) and to solve (best and median of the repeats), total
 * cost, servers served per priority, best-effort and unallocated servers, and the share of servers
 * whose allocation differs from the first solver's (another accelerator or other replicas, or
 * allocated by one and not the other). Behind {@code flotilla plan compare}; the figures in
 * docs/benchmarks.md come from it.
 */
public final class PlanComparison {

    /**
     * One solver's figures; {@code status} is {@code optimal}, {@code time limit} (best found, not
     * proven optimal), either with {@code , greedy kept} when the greedy's allocation was returned
     * (it served better than what was found, or for {@code milp-same-service} nothing cheaper was
     * found) for the MILP solvers, {@code -} for the others.
     */
    public record Row(String solver, String status, Duration bestSolve, Duration medianSolve, double totalCost,
            Map<Integer, Long> servedByPriority, long bestEffort, long unallocated, long mixed, double changedShare,
            Solution solution) {
    }

    /** The whole comparison. */
    public record Report(int servers, int acceleratorTypes, int candidates, Duration candidatesOneThread,
            Duration candidatesParallel, int threads, List<Row> rows) {

        /** A plain-text table for people. */
        public String render() {
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%d servers, %d accelerator types, %d feasible candidates%n", servers,
                    acceleratorTypes, candidates));
            b.append(String.format(Locale.ROOT, "candidate sizing: %s on one thread, %s in parallel (%d threads)%n%n",
                    time(candidatesOneThread), time(candidatesParallel), threads));
            String[] header = {"solver", "status", "solve best", "solve median", "total cost", "served by priority",
                "best effort", "unallocated", "mixed", "changed vs " + rows.getFirst().solver()};
            List<String[]> lines = new ArrayList<>();
            lines.add(header);
            for (Row r : rows) {
                List<String> served = new ArrayList<>();
                r.servedByPriority().forEach((p, n) -> served.add("p" + p + ":" + n));
                lines.add(new String[] {r.solver(), r.status(), time(r.bestSolve()), time(r.medianSolve()), cost(r.totalCost()),
                    String.join(" ", served), String.valueOf(r.bestEffort()), String.valueOf(r.unallocated()),
                    String.valueOf(r.mixed()), String.format(Locale.ROOT, "%.1f%%", 100 * r.changedShare())});
            }
            int[] width = new int[header.length];
            lines.forEach(l -> {
                for (int i = 0; i < l.length; i++) {
                    width[i] = Math.max(width[i], l[i].length());
                }
            });
            for (String[] l : lines) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < l.length; i++) {
                    line.append(i == 0 ? l[i] + " ".repeat(width[i] - l[i].length())
                            : "  " + " ".repeat(width[i] - l[i].length()) + l[i]);
                }
                b.append(line.toString().stripTrailing()).append(System.lineSeparator());
            }
            Row first = rows.getFirst();
            for (Row r : rows.subList(1, rows.size())) {
                b.append(String.format(Locale.ROOT, "%s vs %s: total cost %s vs %s (%+.2f%%)%n", r.solver(),
                        first.solver(), cost(r.totalCost()), cost(first.totalCost()),
                        first.totalCost() == 0 ? 0 : 100 * (r.totalCost() - first.totalCost()) / first.totalCost()));
            }
            return b.toString();
        }

        private static String time(Duration d) {
            double ms = d.toNanos() / 1e6;
            return ms >= 1000 ? String.format(Locale.ROOT, "%.2f s", ms / 1000) : String.format(Locale.ROOT, "%.1f ms", ms);
        }

        private static String cost(double v) {
            return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
        }
    }

    private final LongSupplier nanoTicker;

    /** @param nanoTicker the clock of the measurements, e.g. {@code System::nanoTime} */
    public PlanComparison(LongSupplier nanoTicker) {
        this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
    }

    /**
     * Sizes the candidates {@code repeats} times each way (their results are the same), then runs
     * each solver {@code repeats} times on them.
     */
    public Report run(Problem problem, List<Solver> solvers, int repeats) {
        if (solvers.isEmpty() || repeats < 1) {
            throw new IllegalArgumentException("solvers: " + solvers.size() + ", repeats: " + repeats
                    + " (expected: at least one solver and one repeat)");
        }
        long[] oneThread = new long[repeats];
        long[] parallel = new long[repeats];
        Map<String, List<Candidate>> candidates = null;
        for (int i = 0; i < repeats; i++) {
            long t0 = nanoTicker.getAsLong();
            Map<String, List<Candidate>> sequential = new LinkedHashMap<>();
            for (Server s : problem.servers()) {
                sequential.put(s.name(), Candidates.candidates(problem, s));
            }
            long t1 = nanoTicker.getAsLong();
            candidates = Candidates.all(problem);
            long t2 = nanoTicker.getAsLong();
            oneThread[i] = t1 - t0;
            parallel[i] = t2 - t1;
            if (!sequential.equals(candidates)) {
                throw new IllegalStateException("parallel candidate sizing differs from sizing one by one");
            }
        }
        List<Row> rows = new ArrayList<>();
        Solution reference = null;
        for (Solver solver : solvers) {
            long[] times = new long[repeats];
            Solution solution = null;
            String status = "-";
            for (int i = 0; i < repeats; i++) {
                long t0 = nanoTicker.getAsLong();
                if (solver instanceof MilpPlanSolver milp) {
                    MilpPlanSolver.Outcome outcome = milp.solveDetailed(problem, candidates);
                    solution = outcome.solution();
                    boolean optimal = outcome.result().status() == SolveStatus.OPTIMAL;
                    status = (optimal ? "optimal" : "time limit") + (outcome.greedyKept() ? ", greedy kept" : "");
                } else {
                    solution = solver.solve(problem, candidates);
                }
                times[i] = nanoTicker.getAsLong() - t0;
            }
            if (reference == null) {
                reference = solution;
            }
            rows.add(row(problem, solver.name(), status, times, solution, reference));
        }
        int count = candidates.values().stream().mapToInt(List::size).sum();
        int types = (int) problem.accelerators().stream().map(a -> a.type()).distinct().count();
        return new Report(problem.servers().size(), types, count, Duration.ofNanos(min(oneThread)),
                Duration.ofNanos(min(parallel)), Runtime.getRuntime().availableProcessors(), rows);
    }

    private static Row row(Problem problem, String name, String status, long[] times, Solution s, Solution reference) {
        Map<Integer, Long> served = new TreeMap<>();
        long changed = 0;
        for (Server server : problem.servers()) {
            List<Allocation> parts = s.allocations(server.name());
            boolean full = !parts.isEmpty() && parts.stream().noneMatch(Allocation::bestEffort);
            served.merge(problem.serviceClassOf(server).priority(), full ? 1L : 0L, Long::sum);
            if (!shape(parts).equals(shape(reference.allocations(server.name())))) {
                changed++;
            }
        }
        long bestEffort = s.allocations().stream().filter(Allocation::bestEffort).map(Allocation::server).distinct().count();
        long mixed = s.allocatedServers().stream().filter(s::mixed).count();
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        return new Row(name, status, Duration.ofNanos(sorted[0]), Duration.ofNanos(sorted[sorted.length / 2]), s.totalCost(),
                served, bestEffort, s.unallocated().size(), mixed, (double) changed / problem.servers().size(), s);
    }

    /** What a server runs on: accelerator name to replicas. */
    private static Map<String, Integer> shape(List<Allocation> parts) {
        Map<String, Integer> out = new TreeMap<>();
        parts.forEach(a -> out.merge(a.accelerator(), a.replicas(), Integer::sum));
        return out;
    }

    private static long min(long[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }
}
