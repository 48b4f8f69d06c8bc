package dev.flotilla.bench.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One request of a workload trace: when it arrives, who sends it, what it asks and how much it
 * should generate. One line of a trace file (see docs/bench.md for the JSONL format); both the live
 * load generator and the simulator read these.
 *
 * @param id           unique within the trace; seeds the request's own synthetic text
 * @param arrival      seconds from the start of the trace, {@code >= 0}
 * @param tenant       who sends it (never blank)
 * @param priority     the tenant's priority, larger is more important
 * @param session      the conversation it belongs to, or null for a single request
 * @param turn         its turn in the session, 1 for the first (and for requests without a session)
 * @param prompt       the prompt text, or its length and shared prefix
 * @param outputTokens expected output tokens, sent as {@code max_tokens}
 */
public record TraceRecord(String id, double arrival, String tenant, int priority, String session, int turn,
                          Prompt prompt, int outputTokens) {

    /** The tenant of records that name none. */
    public static final String DEFAULT_TENANT = "default";

    /** What to send as the prompt. */
    public sealed interface Prompt permits Text, Synthetic {
    }

    /** A literal prompt. */
    public record Text(String text) implements Prompt {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A prompt given by its length: {@link PromptText} turns it into deterministic text of about
     * {@code tokens} tokens whose first {@code prefixTokens} tokens are the same for every record of
     * {@code prefixGroup}, so that prefix caches can hit.
     *
     * @param tokens       prompt length in tokens, {@code >= 1}
     * @param prefixGroup  the shared-prefix group (e.g. a system prompt), or null for none
     * @param prefixTokens how many of the tokens are the group's shared prefix, 0 when there is no group
     */
    public record Synthetic(int tokens, String prefixGroup, int prefixTokens) implements Prompt {
        public Synthetic {
            List<String> problems = new ArrayList<>();
            if (tokens < 1) {
                problems.add("prompt_tokens: " + tokens + " (expected >= 1)");
            }
            if (prefixGroup == null && prefixTokens != 0) {
                problems.add("prefix_tokens: " + prefixTokens + " without prefix_group (expected 0)");
            }
            if (prefixGroup != null && prefixGroup.isBlank()) {
                problems.add("prefix_group: '" + prefixGroup + "' (expected a non-blank id)");
            }
            if (prefixTokens < 0 || prefixTokens > tokens) {
                problems.add("prefix_tokens: " + prefixTokens + " (expected 0.." + tokens + ", at most prompt_tokens)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }

        /** A prompt of {@code tokens} tokens with no shared prefix. */
        public static Synthetic of(int tokens) {
            return new Synthetic(tokens, null, 0);
        }
    }

    public TraceRecord {
        List<String> problems = new ArrayList<>();
        if (id == null || id.isBlank()) {
            problems.add("id: '" + id + "' (expected a non-blank id)");
        }
        if (!(arrival >= 0) || Double.isInfinite(arrival)) {
            problems.add("arrival: " + arrival + " (expected seconds >= 0)");
        }
        if (tenant == null || tenant.isBlank()) {
            problems.add("tenant: '" + tenant + "' (expected a non-blank name)");
        }
        if (session != null && session.isBlank()) {
            problems.add("session: '" + session + "' (expected a non-blank id or none)");
        }
        if (turn < 1) {
            problems.add("turn: " + turn + " (expected >= 1)");
        }
        if (prompt == null) {
            problems.add("prompt: none (expected prompt or prompt_tokens)");
        }
        if (outputTokens < 1) {
            problems.add("output_tokens: " + outputTokens + " (expected >= 1)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** A single request of the default tenant, priority 0, no session. */
    public static TraceRecord of(String id, double arrival, Prompt prompt, int outputTokens) {
        return new TraceRecord(id, arrival, DEFAULT_TENANT, 0, null, 1, prompt, outputTokens);
    }

    /** The same record at another arrival time (replay scaling). */
    public TraceRecord withArrival(double seconds) {
        return new TraceRecord(id, seconds, tenant, priority, session, turn, prompt, outputTokens);
    }

    /** The prompt length in tokens when the trace gives it, else -1 (a literal text prompt). */
    public int promptTokens() {
        return prompt instanceof Synthetic s ? s.tokens() : -1;
    }
}
