package dev.flotilla.planner.queue;

import dev.flotilla.planner.perf.ServiceStats;

/**
 * Stationary solution of the birth-death chain at arrival rate {@code lambda} (requests/ms):
 * throughput (requests/ms, arrivals not turned away at the full queue), mean numbers in the system
 * and in the batch, and the mean response, service and waiting times (ms).
 */
public record ChainMetrics(double lambda, double throughput, double avgNumInSystem, double avgNumInService,
        double avgRespTime, double avgServiceTime, double avgWaitTime, double probEmpty, double probFull) {

    /** The figures the latency formulas of a performance model read. */
    public ServiceStats serviceStats() {
        return new ServiceStats(avgNumInService, avgServiceTime, avgWaitTime);
    }
}
