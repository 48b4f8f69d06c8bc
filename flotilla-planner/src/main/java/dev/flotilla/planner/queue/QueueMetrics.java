package dev.flotilla.planner.queue;

/**
 * Performance of one replica at an offered arrival rate.
 *
 * @param offeredRate     arrival rate offered, requests/s
 * @param throughput      requests/s served (offered minus those turned away at the full queue)
 * @param avgRespTime     mean time in the system, ms
 * @param avgWaitTime     mean wait for a batch slot, ms
 * @param avgNumInService mean number of requests in the batch (effective concurrency of the queue)
 * @param avgPrefillTime  mean prefill latency, ms
 * @param itl             mean inter-token latency, ms
 * @param ttft            mean time to first token, ms
 * @param maxRate         highest rate the analysis considers stable, requests/s
 * @param rho             mean batch occupancy as a share of the batch limit, in [0,1]
 */
public record QueueMetrics(double offeredRate, double throughput, double avgRespTime, double avgWaitTime,
        double avgNumInService, double avgPrefillTime, double itl, double ttft, double maxRate, double rho) {
}
