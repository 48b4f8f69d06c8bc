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
 * @param solver      which solver produced it (e.g. {@code greedy})
 * @param allocations one per allocated server, in the order the servers were given
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

    public Optional<Allocation> allocation(String server) {
        return allocations.stream().filter(a -> a.server().equals(server)).findFirst();
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
