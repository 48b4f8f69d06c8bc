package dev.flotilla.bench.live;

import dev.flotilla.protocol.Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One live benchmark run against an OpenAI-compatible server: streamed requests of a
 * {@link Workload}, bounded by a request count and/or a duration.
 *
 * @param baseUrl        the server, with or without a trailing {@code /v1} (http or https)
 * @param endpoint       chat or text completions
 * @param model          the model field of every request
 * @param maxRequests    send at most this many; {@code Long.MAX_VALUE} for no count bound
 * @param maxDuration    send nothing after this much time, or null for no time bound; requests in flight then finish
 * @param requestTimeout a request not finished by then fails as {@code timeout}
 * @param maxInFlight    open-loop bound on requests in flight; an arrival beyond it is not sent and counts as
 *                       {@code client_backlog}. Also the size of the connection pool.
 * @param apiKey         sent as a bearer token, or null
 * @param ignoreEos      send vLLM's {@code ignore_eos: true} so that servers that honour it generate max_tokens
 * @param seedRequests   send each request's {@code seed} from its record id ({@link dev.flotilla.bench.trace.RequestSeed}),
 *                       so that a server that honours it, and the simulator, generate the same text for it
 */
public record LiveBenchPlan(URI baseUrl, Endpoint endpoint, String model, Workload workload, long maxRequests,
                            Duration maxDuration, Duration requestTimeout, int maxInFlight, String apiKey,
                            boolean ignoreEos, boolean seedRequests) {

    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** A plan that sends no per-request seed. */
    public LiveBenchPlan(URI baseUrl, Endpoint endpoint, String model, Workload workload, long maxRequests,
                         Duration maxDuration, Duration requestTimeout, int maxInFlight, String apiKey,
                         boolean ignoreEos) {
        this(baseUrl, endpoint, model, workload, maxRequests, maxDuration, requestTimeout, maxInFlight, apiKey,
                ignoreEos, false);
    }

    public LiveBenchPlan {
        List<String> problems = new ArrayList<>();
        if (baseUrl == null || !("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
                || baseUrl.getHost() == null) {
            problems.add("url: " + baseUrl + " (expected http://host:port or https://host, optionally ending in /v1)");
        }
        if (endpoint == null) {
            problems.add("endpoint: none (expected chat or completions)");
        }
        if (model == null || model.isBlank()) {
            problems.add("model: '" + model + "' (expected a model name)");
        }
        if (workload == null) {
            problems.add("workload: none (expected a rate, a concurrency or a trace)");
        }
        if (maxRequests < 1) {
            problems.add("requests: " + maxRequests + " (expected >= 1)");
        }
        if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
            problems.add("duration: " + maxDuration + " (expected > 0)");
        }
        if (maxDuration == null && maxRequests == Long.MAX_VALUE && !(workload instanceof Workload.Replay)) {
            problems.add("bounds: none (expected a request count, a duration or both)");
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            problems.add("timeout: " + requestTimeout + " (expected > 0)");
        }
        if (maxInFlight < 1) {
            problems.add("max in flight: " + maxInFlight + " (expected >= 1)");
        }
        if (workload instanceof Workload.Concurrency c && c.inFlight() > maxInFlight) {
            problems.add("concurrency: " + c.inFlight() + " (expected <= max in flight " + maxInFlight + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The URL requests are posted to. */
    public String requestUrl() {
        String base = baseUrl.toString().replaceAll("/+$", "");
        String path = endpoint.path(); // "/v1/chat/completions"
        return base.endsWith("/v1") ? base + path.substring(3) : base + path;
    }

    /** What the run was, for the report (vLLM's names where it has them). */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("base_url", baseUrl.toString());
        d.put("endpoint", endpoint.path());
        d.put("model_id", model);
        switch (workload) {
            case Workload.Rate r -> {
                d.put("mode", "rate");
                d.put("request_rate", r.perSecond());
                d.put("seed", r.seed());
            }
            case Workload.Concurrency c -> {
                d.put("mode", "concurrency");
                d.put("max_concurrency", c.inFlight());
            }
            case Workload.Replay t -> {
                d.put("mode", "trace");
                d.put("trace", t.source());
                d.put("time_scale", t.timeScale());
            }
        }
        if (workload instanceof Workload.Rate r) {
            describe(d, r.template());
        } else if (workload instanceof Workload.Concurrency c) {
            describe(d, c.template());
        }
        d.put("max_requests", maxRequests == Long.MAX_VALUE ? null : maxRequests);
        d.put("max_duration_s", maxDuration == null ? null : maxDuration.toMillis() / 1000.0);
        if (seedRequests) {
            d.put("seed_requests", true);
        }
        return d;
    }

    private static void describe(Map<String, Object> d, Workload.Template t) {
        if (t.prompt() instanceof dev.flotilla.bench.trace.TraceRecord.Synthetic s) {
            d.put("prompt_tokens", s.tokens());
        } else {
            d.put("prompt", ((dev.flotilla.bench.trace.TraceRecord.Text) t.prompt()).text());
        }
        d.put("max_tokens", t.maxTokens());
    }
}
