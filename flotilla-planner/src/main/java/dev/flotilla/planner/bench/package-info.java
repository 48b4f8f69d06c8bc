/**
 * Measuring the solvers: seeded random problems ({@link dev.flotilla.planner.bench.ProblemGenerator})
 * and side-by-side runs with timings ({@link dev.flotilla.planner.bench.PlanComparison}).
 */
package dev.flotilla.planner.bench;
