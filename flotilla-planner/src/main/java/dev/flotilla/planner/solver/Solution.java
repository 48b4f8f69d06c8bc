package dev.flotilla.planner.solver;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A solver's answer: allocations in server input order, and the servers left without one with the
 * reason.
 *
 * <p>A server normally has one allocation. A heterogeneous solver may run one server's replicas on
 * several accelerators (a mix): it then has one allocation per accelerator, next to each other, each
 * with its own replicas, cost and predicted latencies at its share of the load ({@link #allocations(String)}).
 *
 * @param solver      which solver produced it (e.g. {@code greedy})
 * @param allocations one per allocated server (one per accelerator of a mixed server), in the order
 *                    the servers were given
 * @param unallocated server name to reason, for servers that got nothing
 */
public record Solution(String solver, List<Allocation> allocations, Map<String, String> unallocated) {

    public Solution {
        allocations = List.copyOf(allocations);
        unallocated = Collections.unmodifiableMap(new LinkedHashMap<>(unallocated));
    }

    /** Sum of the allocations' costs. */
    public double totalCost() {
        double total = 0;
        for (Allocation a : allocations) {
            total += a.cost();
        }
        return total;
    }

    /** The allocation of {@code server}; for a mixed server the first of its parts (see {@link #allocations(String)}). */
    public Optional<Allocation> allocation(String server) {
        return allocations.stream().filter(a -> a.server().equals(server)).findFirst();
    }

    /** Every allocation of {@code server}: one, one per accelerator of a mix, or none. */
    public List<Allocation> allocations(String server) {
        return allocations.stream().filter(a -> a.server().equals(server)).toList();
    }

    /** True when {@code server}'s replicas run on more than one accelerator. */
    public boolean mixed(String server) {
        return allocations(server).size() > 1;
    }

    /** Servers with at least one allocation, in order. */
    public List<String> allocatedServers() {
        return allocations.stream().map(Allocation::server).distinct().toList();
    }

    /** Cards used per accelerator type, in order of first use. */
    public Map<String, Integer> unitsByType() {
        Map<String, Integer> used = new LinkedHashMap<>();
        for (Allocation a : allocations) {
            used.merge(a.acceleratorType(), a.units(), Integer::sum);
        }
        return used;
    }

    /** True when some server got a best-effort allocation or none. */
    public boolean saturated() {
        return !unallocated.isEmpty() || allocations.stream().anyMatch(Allocation::bestEffort);
    }
}
