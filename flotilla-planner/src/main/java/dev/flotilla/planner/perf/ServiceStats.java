package dev.flotilla.planner.perf;

/**
 * Stationary figures of a replica's queue that the latency formulas need: the mean number of
 * requests in the batch, the mean time a request spends in the batch and the mean time it waits
 * before entering it (ms).
 */
public record ServiceStats(double avgNumInService, double avgServiceTime, double avgWaitTime) {
}
