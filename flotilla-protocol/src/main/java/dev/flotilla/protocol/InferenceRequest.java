package dev.flotilla.protocol;

import java.util.List;

/**
 * A validated OpenAI chat or text completion request. For chat, {@code messages} is set and
 * {@code prompt} is null; for completions the reverse. Built by {@link InferenceRequests#parse}.
 *
 * @param maxTokens   the client's limit on generated tokens, or null for "until the context ends"
 * @param seed        the sampling seed, or null for a random one
 * @param user        the client's end-user id ({@code user} field), or null; scheduling may use it
 *                    for session affinity
 */
public record InferenceRequest(
        Endpoint endpoint,
        String model,
        List<ChatMessage> messages,
        String prompt,
        boolean stream,
        boolean includeUsage,
        Integer maxTokens,
        double temperature,
        double topP,
        Long seed,
        List<String> stop,
        String user) {

    public static final double DEFAULT_TEMPERATURE = 1.0;
    public static final double DEFAULT_TOP_P = 1.0;

    public InferenceRequest {
        messages = messages == null ? null : List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** A request without a {@code user} id. */
    public InferenceRequest(Endpoint endpoint, String model, List<ChatMessage> messages, String prompt, boolean stream,
                            boolean includeUsage, Integer maxTokens, double temperature, double topP, Long seed,
                            List<String> stop) {
        this(endpoint, model, messages, prompt, stream, includeUsage, maxTokens, temperature, topP, seed, stop, null);
    }
}
