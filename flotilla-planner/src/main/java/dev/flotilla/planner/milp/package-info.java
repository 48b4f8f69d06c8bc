/**
 * Exact capacity allocation by mixed-integer linear programming (OR-Tools, SCIP through
 * {@code MPSolver}).
 *
 * <p>Self-contained on purpose: the input is a small generic {@link
 * dev.flotilla.planner.milp.AllocationProblem} (servers with priorities, their candidate options
 * and accelerator units per replica, capacity per accelerator type), so that any candidate
 * generator (Inferno's queueing analysis, a measured table) can feed it through an adapter. A
 * server either picks at most one candidate option (one accelerator type, as Inferno's greedy
 * does) or, with a {@link dev.flotilla.planner.milp.RateDemand}, mixes accelerator types to reach
 * a required rate (as Mélange does). {@link dev.flotilla.planner.milp.MelangeProblem} reads and
 * solves Mélange's own bucketed ILP. The formulation is written up in {@code docs/planner-milp.md}.
 */
package dev.flotilla.planner.milp;
