package dev.flotilla.bench.sim;

import dev.flotilla.bench.trace.PromptText;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;

/**
 * Turns a request's {@link SimPrompt} into the text a client would send (before any chat template).
 * Called once per request, when it arrives. Pluggable so that a simulation can send byte for byte
 * what a live run sends ({@link #bench()}); {@link #compact()} is the default.
 */
@FunctionalInterface
public interface PromptRenderer {

    String render(SimRequest request);

    /**
     * Characters per token of the text {@link #render} gives for this request, as the simulated
     * gateway is to estimate its tokens: the gateway's own figure
     * ({@value SchedulingRequest#CHARS_PER_TOKEN}, for text in words) unless the renderer writes
     * tokens more densely than real text (then a live gateway, seeing the real text, would estimate
     * the tokens the compact text stands for).
     */
    default int charsPerToken(SimRequest request) {
        return SchedulingRequest.CHARS_PER_TOKEN;
    }

    /**
     * Literal prompts as they are; a synthetic prompt of n tokens as n punctuation marks with no
     * spaces, each one token for the simulated engine (which counts a word or any other non-space
     * character as a token), so the engine's per-character work on prompts (counting, hashing
     * blocks for the prefix cache) is about six times smaller than with words. The first
     * {@code prefixTokens} marks come from the prefix group's own seeded stream (identical for every
     * request of the group), the rest from the session's stream (so a later, longer turn starts with
     * the earlier turn's whole prompt) or, without a session, from the request id's. What the
     * simulation depends on, token counts and which prompts share which prefix, is the same as for a
     * live run that sends words. Keeps the last 1,024 group prefixes rendered.
     */
    static PromptRenderer compact() {
        return new CompactPrompts(1024);
    }

    /**
     * Exactly the text {@code flotilla bench} sends for the same request ({@link PromptText}: one
     * common English word per token, from the same seeded streams), for runs that must match a live
     * one byte for byte; about six times more prompt work for the engines than {@link #compact()}.
     */
    static PromptRenderer bench() {
        return request -> switch (request.prompt()) {
            case SimPrompt.Text t -> t.text();
            case SimPrompt.Synthetic s -> {
                String prefix = s.prefixTokens() > 0 ? PromptText.words("prefix", s.prefixGroup(), s.prefixTokens()) : "";
                int rest = s.tokens() - s.prefixTokens();
                if (rest == 0) {
                    yield prefix;
                }
                String own = request.session() != null ? PromptText.words("session", request.session(), rest)
                        : PromptText.words("request", request.id(), rest);
                yield prefix.isEmpty() ? own : prefix + " " + own;
            }
        };
    }
}
