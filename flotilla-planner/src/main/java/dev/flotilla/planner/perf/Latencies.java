package dev.flotilla.planner.perf;

/**
 * Mean latencies of a request (ms): {@code prefill} is the time from entering the batch to the
 * first token as the model computes it, {@code itl} the mean inter-token latency and {@code ttft}
 * the time to first token including the wait for a batch slot.
 */
public record Latencies(double prefill, double itl, double ttft) {
}
