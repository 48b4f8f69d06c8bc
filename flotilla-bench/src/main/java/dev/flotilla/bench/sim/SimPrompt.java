package dev.flotilla.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The prompt of a {@link SimRequest}: literal text, or a length with an optional shared prefix that
 * a {@link PromptRenderer} turns into text when the request is dispatched (so a trace of an hour
 * never holds every prompt in memory at once).
 */
public sealed interface SimPrompt permits SimPrompt.Text, SimPrompt.Synthetic {

    /** A literal prompt, sent as it is. */
    record Text(String text) implements SimPrompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A prompt of {@code tokens} tokens whose first {@code prefixTokens} are the same for every
     * request of {@code prefixGroup} (a shared system prompt), the rest the request's own or, for a
     * request of a session, the session's (so each turn extends the previous one).
     *
     * @param tokens       prompt length in tokens, {@code >= 1}
     * @param prefixGroup  the shared-prefix group, or null for none
     * @param prefixTokens tokens of the shared prefix, 0 without a group, at most {@code tokens}
     */
    record Synthetic(int tokens, String prefixGroup, int prefixTokens) implements SimPrompt {
        public Synthetic {
            List<String> problems = new ArrayList<>();
            if (tokens < 1) {
                problems.add("prompt tokens: " + tokens + " (expected >= 1)");
            }
            if (prefixGroup == null && prefixTokens != 0) {
                problems.add("prefix tokens: " + prefixTokens + " without a prefix group (expected 0)");
            }
            if (prefixGroup != null && prefixGroup.isBlank()) {
                problems.add("prefix group: '" + prefixGroup + "' (expected a non-blank id)");
            }
            if (prefixTokens < 0 || prefixTokens > tokens) {
                problems.add("prefix tokens: " + prefixTokens + " (expected 0.." + tokens + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }

        /** A prompt of {@code tokens} tokens sharing nothing. */
        public static Synthetic of(int tokens) {
            return new Synthetic(tokens, null, 0);
        }
    }
}
