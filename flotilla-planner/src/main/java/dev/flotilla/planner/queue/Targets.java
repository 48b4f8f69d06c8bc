package dev.flotilla.planner.queue;

/**
 * Latency and throughput targets of a replica; 0 means "not set".
 *
 * @param ttft mean time to first token including queueing, ms
 * @param itl  mean inter-token latency, ms
 * @param tps  token throughput, tokens/s (bounds the rate to 90% of the maximum)
 */
public record Targets(double ttft, double itl, double tps) {

    public Targets {
        if (!(ttft >= 0) || !(itl >= 0) || !(tps >= 0)) {
            throw new IllegalArgumentException("targets: ttft=" + ttft + ", itl=" + itl + ", tps=" + tps
                    + " (expected: each >= 0)");
        }
    }
}
