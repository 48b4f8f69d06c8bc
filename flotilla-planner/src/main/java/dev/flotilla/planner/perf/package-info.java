/**
 * Performance models of a model replica: service time as a function of the batch size and the
 * latency formulas that turn queue statistics into ITL and TTFT.
 */
package dev.flotilla.planner.perf;
