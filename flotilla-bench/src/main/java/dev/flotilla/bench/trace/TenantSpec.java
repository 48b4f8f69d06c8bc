package dev.flotilla.bench.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * How one tenant sends requests in a generated trace.
 *
 * @param name     tenant name, written in every record (letters, digits, '.', '_', '-')
 * @param priority written in every record
 * @param rate     arrivals of new conversations per second, constant or changing over time
 * @param cv       coefficient of variation of the gaps between arrivals: 1 Poisson, above 1 bursts (gamma)
 * @param prompt   length of each user turn's own text in tokens (the shared prefix comes on top)
 * @param output   expected output tokens of each turn
 * @param prefixes shared system prompts
 * @param sessions multi-turn conversations
 */
public record TenantSpec(String name, int priority, RateSchedule rate, double cv, LengthDistribution prompt,
                         LengthDistribution output, Prefixes prefixes, Sessions sessions) {

    /**
     * Shared system prompts: a share of the conversations starts with one of {@code groups}
     * prompts of {@code tokens} tokens, picked uniformly.
     */
    public record Prefixes(int groups, int tokens, double share) {
        public static final Prefixes NONE = new Prefixes(0, 0, 0);

        public Prefixes {
            List<String> problems = new ArrayList<>();
            if (groups < 0) {
                problems.add("prefix groups: " + groups + " (expected >= 0)");
            }
            if (tokens < 0 || (groups > 0 && tokens < 1)) {
                problems.add("prefix tokens: " + tokens + " (expected >= 1 when there are groups)");
            }
            if (!(share >= 0 && share <= 1)) {
                problems.add("prefix share: " + share + " (expected 0..1)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }
    }

    /**
     * Conversations of {@code turns} turns; each turn arrives an exponentially distributed think
     * time (mean {@code thinkTimeSeconds}) after the previous one, and its prompt is the previous
     * prompt, the previous answer and a new user turn.
     */
    public record Sessions(int turns, double thinkTimeSeconds) {
        public static final Sessions NONE = new Sessions(1, 0);

        public Sessions {
            if (turns < 1) {
                throw new IllegalArgumentException("turns: " + turns + " (expected >= 1)");
            }
            if (!(thinkTimeSeconds >= 0) || Double.isInfinite(thinkTimeSeconds)) {
                throw new IllegalArgumentException("think time: " + thinkTimeSeconds + " s (expected >= 0)");
            }
        }
    }

    public TenantSpec {
        List<String> problems = new ArrayList<>();
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            problems.add("name: '" + name + "' (expected letters, digits, '.', '_', '-')");
        }
        if (rate == null) {
            problems.add("rate: none (expected a rate or a rate schedule)");
        }
        if (!(cv > 0) || Double.isInfinite(cv)) {
            problems.add("cv: " + cv + " (expected > 0; 1 is Poisson)");
        }
        if (prompt == null || output == null) {
            problems.add("prompt/output lengths: none (expected distributions)");
        }
        if (prefixes == null || sessions == null) {
            problems.add("prefixes/sessions: none (expected NONE when unused)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("tenant " + name + ": " + String.join("; ", problems));
        }
    }
}
