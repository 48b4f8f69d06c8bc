/**
 * Feasible allocations per server and accelerator ({@link dev.flotilla.planner.candidate.Candidates#candidates}),
 * the common input of every solver.
 */
package dev.flotilla.planner.candidate;
