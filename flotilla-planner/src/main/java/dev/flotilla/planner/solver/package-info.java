/**
 * Solvers choosing allocations from the candidates: unlimited capacity, Inferno's greedy for limited
 * capacity, and the exact MILP (one accelerator per server, or a heterogeneous mix) through
 * {@link dev.flotilla.planner.solver.MilpPlanSolver}; {@link dev.flotilla.planner.solver.Solvers} picks one.
 */
package dev.flotilla.planner.solver;
