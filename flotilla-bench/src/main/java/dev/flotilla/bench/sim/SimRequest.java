package dev.flotilla.bench.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * One request the simulator offers the fleet: when it arrives (virtual nanoseconds from the start
 * of the run), who sends it, its prompt and its {@code max_tokens}. The simulator's own input type,
 * so that any trace format maps onto it through a {@link SimRequestAdapter}.
 *
 * @param id           unique within the run; names the request in per-request results
 * @param arrivalNanos arrival time from the start of the run, {@code >= 0}
 * @param tenant       who sends it (never blank)
 * @param priority     the tenant's priority (carried into results; routing does not read it today)
 * @param session      the conversation it belongs to, or null
 * @param prompt       the prompt text, or its length and shared prefix
 * @param maxTokens    {@code max_tokens}, {@code >= 1}: the engine stops there or where its text ends
 */
public record SimRequest(String id, long arrivalNanos, String tenant, int priority, String session,
                         SimPrompt prompt, int maxTokens) {

    /** The tenant of requests that name none. */
    public static final String DEFAULT_TENANT = "default";

    public SimRequest {
        List<String> problems = new ArrayList<>();
        if (id == null || id.isBlank()) {
            problems.add("id: '" + id + "' (expected a non-blank id)");
        }
        if (arrivalNanos < 0) {
            problems.add("arrival: " + arrivalNanos + " ns (expected >= 0)");
        }
        if (tenant == null || tenant.isBlank()) {
            problems.add("tenant: '" + tenant + "' (expected a non-blank name)");
        }
        if (session != null && session.isBlank()) {
            problems.add("session: '" + session + "' (expected a non-blank id or none)");
        }
        if (prompt == null) {
            problems.add("prompt: none (expected a text or a synthetic prompt)");
        }
        if (maxTokens < 1) {
            problems.add("max tokens: " + maxTokens + " (expected >= 1)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("request " + id + ": " + String.join("; ", problems));
        }
    }

    /** A request of the default tenant, priority 0, no session. */
    public static SimRequest of(String id, long arrivalNanos, SimPrompt prompt, int maxTokens) {
        return new SimRequest(id, arrivalNanos, DEFAULT_TENANT, 0, null, prompt, maxTokens);
    }
}
