/** Solvers choosing one candidate per server: unlimited capacity, and Inferno's greedy for limited capacity. */
package dev.flotilla.planner.solver;
