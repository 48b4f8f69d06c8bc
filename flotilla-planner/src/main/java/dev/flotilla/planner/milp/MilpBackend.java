package dev.flotilla.planner.milp;

/**
 * The MILP engine behind OR-Tools' {@code MPSolver}. Both take real coefficients as they are
 * (costs and rates are decimals); CP-SAT is not offered because it needs integer coefficients
 * and integer variables, and the best-effort shares are continuous.
 */
public enum MilpBackend {
  /** The default: SCIP, branch-and-cut with exact optimality at a zero gap. */
  SCIP("SCIP"),
  /** COIN-OR CBC, kept to cross-check SCIP. */
  CBC("CBC");

  private final String solverId;

  MilpBackend(String solverId) {
    this.solverId = solverId;
  }

  /** The name {@code MPSolver.createSolver} knows this backend by. */
  String solverId() {
    return solverId;
  }
}
