package dev.flotilla.bench.sim.matrix;

/**
 * The figures of one matrix cell (fleet x workload x load x policy). Latencies in milliseconds,
 * NaN when there were no samples; goodput NaN when no objective was set.
 *
 * @param capacity           the fleet's capacity for the workload, requests/s ({@link CapacityModel})
 * @param offeredRate        requests/s the trace was generated at (load x capacity)
 * @param requests           requests in the trace (the same for every policy of a fleet, workload and load)
 * @param offeredPromptTokens sum of the trace's prompt lengths (ditto)
 * @param offeredMaxTokens   sum of the trace's max_tokens (ditto)
 * @param requestThroughput  completed requests per second of the run (from t = 0 of the trace to the last request's end)
 * @param outputThroughput   output tokens per second
 * @param goodput            requests per second meeting the objectives
 * @param wallSeconds        CPU wall time the simulation took (not deterministic)
 */
public record CellResult(String fleet, boolean heterogeneous, String workload, double load, String policy,
                         double capacity, double offeredRate, long requests, long offeredPromptTokens,
                         long offeredMaxTokens, long completed, long failed, double p50TtftMs, double p99TtftMs,
                         double p99ItlMs, double requestThroughput, double outputThroughput, double goodput,
                         double goodputRatio, double prefixCacheHitRate, double durationSeconds, Double sloTtftMs,
                         Double sloItlMs, double wallSeconds) {

    /** The fleet, workload and load: the cells of one trace. */
    public String group() {
        return fleet + " / " + workload + " / " + Metric.formatLoad(load);
    }
}
