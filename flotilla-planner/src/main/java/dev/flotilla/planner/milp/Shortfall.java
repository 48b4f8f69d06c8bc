package dev.flotilla.planner.milp;

/** What the solver does with servers that do not fit in the capacity. */
public enum Shortfall {
  /** Every server must be served; otherwise the result is {@link SolveStatus#INFEASIBLE} (Inferno's OPL models). */
  REQUIRE_ALL,
  /** The default: a server that does not fit gets nothing (Inferno's saturation policy {@code None}). */
  LEAVE_UNALLOCATED,
  /**
   * After the full allocations, leftover capacity goes to servers that did not fit as fewer
   * replicas than they need (a single-type server on one option; a heterogeneous one a smaller
   * rate), maximising the served share by priority: the exact counterpart of Inferno's best-effort
   * saturation policies.
   */
  BEST_EFFORT
}
