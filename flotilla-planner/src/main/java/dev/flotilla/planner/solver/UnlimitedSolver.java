package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unlimited capacity (capacity planning, or a cloud): the problem separates per server, and each
 * server gets its candidate of least value (Inferno's {@code SolveUnlimited}); ties go to the
 * accelerator listed first.
 */
public final class UnlimitedSolver implements Solver {

    @Override
    public String name() {
        return "unlimited";
    }

    @Override
    public Solution solve(Problem problem, Map<String, List<Candidate>> candidates) {
        List<Allocation> allocations = new ArrayList<>();
        Map<String, String> unallocated = new LinkedHashMap<>();
        for (Server s : problem.servers()) {
            Candidate best = null;
            for (Candidate c : candidates.getOrDefault(s.name(), List.of())) {
                if (best == null || c.value() < best.value()) {
                    best = c;
                }
            }
            if (best == null) {
                unallocated.put(s.name(), "no accelerator meets its SLOs");
            } else {
                allocations.add(Allocation.of(best));
            }
        }
        return new Solution(name(), allocations, unallocated);
    }
}
