package dev.flotilla.planner.model;

import dev.flotilla.planner.perf.PerformanceModel;
import java.util.Objects;

/**
 * How one model performs on one accelerator: the replica needs {@code accCount} accelerator units,
 * holds at most {@code maxBatchSize} requests of {@code atTokens} tokens each in its KV cache, and
 * its step times follow {@code perf}.
 *
 * <p>The batch limit used for a server scales with the server's mean output length {@code K}:
 * {@code max(1, floor(maxBatchSize * atTokens / K))} (Inferno's sizing rule).
 */
public record ModelPerf(String model, String accelerator, int accCount, int maxBatchSize, int atTokens,
        PerformanceModel perf) {

    public ModelPerf {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(perf, "perf");
    }

    /** Batch limit for requests producing {@code avgOutTokens} tokens on average. */
    public int batchLimitFor(int avgOutTokens) {
        if (avgOutTokens <= 0) {
            return maxBatchSize;
        }
        return Math.max((int) ((long) maxBatchSize * atTokens / avgOutTokens), 1);
    }
}
