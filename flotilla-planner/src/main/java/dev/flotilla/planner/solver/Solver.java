package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.model.Problem;
import java.util.List;
import java.util.Map;

/**
 * Chooses an allocation for every server of a problem from its candidates
 * ({@link dev.flotilla.planner.candidate.Candidates}).
 */
public interface Solver {

    /** Short name in reports, e.g. {@code greedy}. */
    String name();

    /** Solves with candidates already computed (server name to candidates, as {@code Candidates.all} gives). */
    Solution solve(Problem problem, Map<String, List<Candidate>> candidates);
}
