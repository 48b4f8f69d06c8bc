package dev.flotilla.engine;

import java.util.List;

/**
 * One generation as an engine sees it: a rendered prompt and sampling parameters.
 *
 * @param id          the request id, for logs and cancellation
 * @param prompt      the full prompt text (chat messages already rendered)
 * @param maxTokens   the most tokens to generate, or 0 for "until the text ends or the context is full"
 * @param temperature 0 for greedy decoding
 * @param seed        the sampling seed; the same seed and prompt give the same text
 * @param stop        stop sequences; generation ends before the first one appears
 */
public record GenerationRequest(String id, String prompt, int maxTokens, double temperature, double topP,
                                long seed, List<String> stop) {
    public GenerationRequest {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens: " + maxTokens + " (expected >= 0)");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
