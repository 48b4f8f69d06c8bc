package dev.flotilla.planner.milp;

/** How far a solve got. */
public enum SolveStatus {
  /** Proven optimal (at a zero relative gap) in every stage. */
  OPTIMAL,
  /** A feasible solution, not proven optimal: a time limit ended at least one stage. */
  FEASIBLE,
  /** No solution exists: only possible with {@link Shortfall#REQUIRE_ALL}. */
  INFEASIBLE,
  /** The solver stopped without a solution (time limit before the first one, or a solver failure). */
  NOT_SOLVED
}
