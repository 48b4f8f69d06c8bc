package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How well a solution serves a problem, in the order the exact solver optimises it: servers fully
 * served per priority (most important first), then the share of demand carried per priority (a
 * server served 1, a best-effort one the rate its replicas carry over the rate it needs), then the
 * lower cost. Used to keep the better of two solutions when the MILP stops at its time limit.
 */
record Service(Map<Integer, Long> served, Map<Integer, Double> shares, double cost) implements Comparable<Service> {

    private static final double SHARE_TOLERANCE = 1e-9;
    private static final double COST_TOLERANCE = 1e-6;

    static Service of(Problem problem, Solution solution) {
        Map<Integer, Long> served = new TreeMap<>();
        Map<Integer, Double> shares = new TreeMap<>();
        for (Server s : problem.servers()) {
            int priority = problem.serviceClassOf(s).priority();
            List<Allocation> parts = solution.allocations(s.name());
            boolean full = !parts.isEmpty() && parts.stream().noneMatch(Allocation::bestEffort);
            double share = full ? 1 : 0;
            if (!full && !parts.isEmpty()) {
                double carried = parts.stream().mapToDouble(a -> a.replicas() * a.candidate().maxRatePerReplica()).sum();
                double needed = Candidates.requiredRate(problem, s);
                share = needed > 0 ? Math.min(1, carried / needed) : 1;
            }
            served.merge(priority, full ? 1L : 0L, Long::sum);
            shares.merge(priority, share, Double::sum);
        }
        return new Service(served, shares, solution.totalCost());
    }

    /** Positive when this serves better than {@code other} (more served, then more share, then cheaper). */
    @Override
    public int compareTo(Service other) {
        for (Map.Entry<Integer, Long> e : served.entrySet()) {
            int c = Long.compare(e.getValue(), other.served.getOrDefault(e.getKey(), 0L));
            if (c != 0) {
                return c;
            }
        }
        for (Map.Entry<Integer, Double> e : shares.entrySet()) {
            double d = e.getValue() - other.shares.getOrDefault(e.getKey(), 0.0);
            if (Math.abs(d) > SHARE_TOLERANCE) {
                return d > 0 ? 1 : -1;
            }
        }
        double d = other.cost - cost;
        return Math.abs(d) <= COST_TOLERANCE ? 0 : d > 0 ? 1 : -1;
    }
}
