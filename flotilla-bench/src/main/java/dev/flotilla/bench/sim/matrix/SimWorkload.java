package dev.flotilla.bench.sim.matrix;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.trace.TenantParameters;
import dev.flotilla.bench.trace.TenantSpec;
import dev.flotilla.bench.trace.TraceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A named synthetic workload for comparing routing policies: one or more tenants in the form
 * {@code flotilla bench trace --tenant} takes, each with its share of the requests, turned into a
 * trace at any request rate by the bench's own generator. Also carries the goodput objectives that
 * suit it.
 *
 * @param name        e.g. {@code short-chat}
 * @param description one sentence for reports
 * @param tenants     at least one; shares sum to 1
 * @param slo         default goodput objectives for this workload
 */
public record SimWorkload(String name, String description, List<Tenant> tenants, Slo slo) {

    /**
     * One tenant of a workload.
     *
     * @param share      its share of the workload's requests (0..1]
     * @param parameters {@code flotilla bench trace --tenant} keys without {@code rate} (the share sets it)
     */
    public record Tenant(double share, Map<String, String> parameters) {
        public Tenant {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("share: " + share + " (expected > 0 and <= 1)");
            }
            parameters = Map.copyOf(parameters);
            if (parameters.containsKey("rate") || parameters.containsKey("rate-schedule")) {
                throw new IllegalArgumentException("parameters: " + parameters
                        + " (expected no rate or rate-schedule: the workload's request rate and the share set it)");
            }
        }

        /** Requests per conversation: the tenant's {@code turns} (default 1). */
        int turns() {
            return Integer.parseInt(parameters.getOrDefault("turns", "1"));
        }
    }

    public SimWorkload {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(slo, "slo");
        tenants = List.copyOf(tenants);
        double total = tenants.stream().mapToDouble(Tenant::share).sum();
        if (tenants.isEmpty() || Math.abs(total - 1) > 1e-9) {
            throw new IllegalArgumentException("workload " + name + ": tenant shares sum to " + total + " (expected 1)");
        }
    }

    /** Short chat turns: prompts of median 200 tokens, answers of median 150 (max_tokens). */
    public static final SimWorkload SHORT_CHAT = new SimWorkload("short-chat",
            "one tenant; prompts log-normal median 200 tokens (sigma 0.5, max 1,000), max_tokens median 150 "
                    + "(sigma 0.5, max 512); Poisson arrivals",
            List.of(new Tenant(1.0, ordered("name", "chat", "prompt-median", "200", "prompt-sigma", "0.5",
                    "prompt-max", "1000", "output-median", "150", "output-sigma", "0.5", "output-max", "512"))),
            new Slo(1000.0, 150.0, null));

    /**
     * Long prompts (summarisation, RAG): median 2,500 tokens, capped at 3,800 so that prompt and
     * chat template stay below the 4,096-token context of the H100, A100, L40S and L4 profiles (the
     * T4's 1,754-token context refuses nearly all of them).
     */
    public static final SimWorkload LONG_PROMPT = new SimWorkload("long-prompt",
            "one tenant; prompts log-normal median 2,500 tokens (sigma 0.2: 90 % between 1,800 and 3,470; max 3,800), "
                    + "max_tokens median 100 (sigma 0.3, max 200); Poisson arrivals",
            List.of(new Tenant(1.0, ordered("name", "rag", "prompt-median", "2500", "prompt-sigma", "0.2",
                    "prompt-max", "3800", "output-median", "100", "output-sigma", "0.3", "output-max", "200"))),
            new Slo(3000.0, 150.0, null));

    /**
     * Multi-turn conversations over shared system prompts: 8 system prompts of 1,000 tokens, 4 turns
     * per conversation with 5 s mean think time, each turn's prompt the whole conversation so far.
     */
    public static final SimWorkload MULTI_TURN = new SimWorkload("multi-turn",
            "one tenant; every conversation starts with one of 8 shared system prompts of 1,000 tokens and has 4 "
                    + "turns (exponential think time, mean 5 s); each turn adds a user message of median 120 tokens "
                    + "(max 300) after the previous prompt and answer (max_tokens median 100, max 200), so turn 4 "
                    + "re-sends about 1,800 tokens of which all but the new message are cached where the previous "
                    + "turn ran",
            List.of(new Tenant(1.0, ordered("name", "chat", "prefix-groups", "8", "prefix-tokens", "1000",
                    "turns", "4", "think-time", "5s", "prompt-median", "120", "prompt-sigma", "0.5",
                    "prompt-max", "300", "output-median", "100", "output-sigma", "0.3", "output-max", "200"))),
            new Slo(1000.0, 150.0, null));

    /** Two tenants: interactive chat (75 % of requests) and bursty batch jobs with long prompts (25 %). */
    public static final SimWorkload TWO_TENANTS = new SimWorkload("two-tenants",
            "tenant 'interactive' (75 % of requests, priority 1): prompts median 250 tokens (max 1,000), "
                    + "max_tokens median 120 (max 400), Poisson; tenant 'batch' (25 %): prompts median 1,500 "
                    + "(max 3,000), max_tokens median 400 (max 800), bursty arrivals (cv 2)",
            List.of(new Tenant(0.75, ordered("name", "interactive", "priority", "1", "prompt-median", "250",
                            "prompt-sigma", "0.5", "prompt-max", "1000", "output-median", "120", "output-sigma", "0.5",
                            "output-max", "400")),
                    new Tenant(0.25, ordered("name", "batch", "cv", "2", "prompt-median", "1500", "prompt-sigma",
                            "0.3", "prompt-max", "3000", "output-median", "400", "output-sigma", "0.3",
                            "output-max", "800"))),
            new Slo(2000.0, 150.0, null));

    /** The four workloads of the policy comparison, in report order. */
    public static List<SimWorkload> builtIns() {
        return List.of(SHORT_CHAT, LONG_PROMPT, MULTI_TURN, TWO_TENANTS);
    }

    /** A built-in workload by name (case-insensitive); unknown names list the known ones. */
    public static SimWorkload named(String name) {
        for (SimWorkload w : builtIns()) {
            if (w.name.equalsIgnoreCase(name.strip())) {
                return w;
            }
        }
        throw new IllegalArgumentException("workload: '" + name + "' (expected one of: "
                + builtIns().stream().map(SimWorkload::name).collect(Collectors.joining(", ")) + ")");
    }

    /**
     * The trace spec of this workload offering {@code requestsPerSecond} requests per second on
     * average for {@code durationSeconds}: each tenant starts conversations at
     * {@code share * requestsPerSecond / turns} per second. (Conversations started near the end lose
     * the turns that would arrive after it, so a multi-turn trace offers slightly less.)
     */
    public TraceSpec trace(double requestsPerSecond, double durationSeconds, long seed) {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("rate: " + requestsPerSecond + " requests/s (expected > 0)");
        }
        List<TenantSpec> specs = new ArrayList<>();
        for (Tenant t : tenants) {
            Map<String, String> p = new LinkedHashMap<>(t.parameters());
            p.put("rate", String.format(Locale.ROOT, "%.9g", t.share() * requestsPerSecond / t.turns()));
            specs.add(TenantParameters.tenant(Map.of(), p, Path.of(""), "workload " + name));
        }
        return new TraceSpec(seed, durationSeconds, Long.MAX_VALUE, specs);
    }

    private static Map<String, String> ordered(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
