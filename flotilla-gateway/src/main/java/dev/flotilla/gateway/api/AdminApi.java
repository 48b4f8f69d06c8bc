package dev.flotilla.gateway.api;

import dev.flotilla.gateway.config.ConfigException;
import dev.flotilla.gateway.config.ConfigLoader;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.AddResult;
import dev.flotilla.gateway.fleet.Conflict;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.RemoveResult;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.GpuFigures;
import dev.flotilla.gateway.fleet.telemetry.HistoryMetric;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.NodeHistory;
import dev.flotilla.gateway.fleet.telemetry.SeriesRing;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.request.RequestContext;
import dev.flotilla.gateway.scheduling.Explanation;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import dev.flotilla.protocol.InferenceRequests;
import dev.flotilla.protocol.ErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin API over the fleet: {@code GET /admin/fleet} (every node, its state and latest
 * figures), {@code GET /admin/fleet/{node}} (one node), {@code GET /admin/fleet/{node}/series?metric=...&since=...}
 * (one metric's recent history), {@code POST /admin/nodes/{node}/drain} and {@code .../undrain}
 * (take a node out of rotation while its in-flight requests finish, and put it back; both answer
 * the node's JSON), and membership: {@code POST /admin/nodes} (add a node, the body a JSON node
 * entry as in the config file, checked by the same rules) and {@code DELETE /admin/nodes/{node}}
 * (remove one once its requests in flight have finished). Reachable from loopback only
 * ({@link LoopbackOnly}); answers read snapshots and ring buffers, never I/O. Unknown figures are
 * JSON null.
 */
public final class AdminApi {
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
    /** A node entry is a few hundred bytes; anything much larger is not one. */
    static final int MAX_NODE_BODY_BYTES = 16 * 1024;
    /** An explained request body is a chat or completions request; prompts can be long. */
    static final int MAX_EXPLAIN_BODY_BYTES = 16 * 1024 * 1024;

    private final NodeRegistry registry;
    private final Function<String, NodeHistory> histories;
    private final Clock clock;
    private final ErrorResponses errors;
    private final Function<String, String> circuits;
    private final Scheduler scheduler;
    private final BiFunction<String, String, GatewayConfig.Hedge> hedges;

    /** @param histories the history of a node by name (null for an unknown node) */
    public AdminApi(NodeRegistry registry, Function<String, NodeHistory> histories, Clock clock, ErrorResponses errors) {
        this(registry, histories, clock, errors, node -> "closed");
    }

    /** @param circuits a node's circuit breaker state ({@code closed}, {@code open}, {@code half_open}) */
    public AdminApi(NodeRegistry registry, Function<String, NodeHistory> histories, Clock clock, ErrorResponses errors,
                    Function<String, String> circuits) {
        this(registry, histories, clock, errors, circuits, null);
    }

    /** @param scheduler the engine {@code POST /admin/explain} asks, or null to serve no such endpoint */
    public AdminApi(NodeRegistry registry, Function<String, NodeHistory> histories, Clock clock, ErrorResponses errors,
                    Function<String, String> circuits, Scheduler scheduler) {
        this(registry, histories, clock, errors, circuits, scheduler, null);
    }

    /**
     * @param hedges the hedging in effect for a model and a profile name ({@link GatewayConfig#hedge(String, String)}),
     *               shown by {@code POST /admin/explain}; null to leave it out
     */
    public AdminApi(NodeRegistry registry, Function<String, NodeHistory> histories, Clock clock, ErrorResponses errors,
                    Function<String, String> circuits, Scheduler scheduler,
                    BiFunction<String, String, GatewayConfig.Hedge> hedges) {
        this.hedges = hedges;
        this.scheduler = scheduler;
        this.circuits = circuits;
        this.registry = registry;
        this.histories = histories;
        this.clock = clock;
        this.errors = errors;
    }

    /** Adds the admin routes (and the loopback check in front of them) to a router. */
    public void mount(Router router) {
        router.route("/admin/*").handler(this::loopbackOnly);
        router.get("/admin/fleet").handler(this::fleet);
        router.get("/admin/fleet/:node").handler(this::fleetNode);
        router.get("/admin/fleet/:node/series").handler(this::series);
        router.post("/admin/nodes").handler(BodyHandler.create(false).setBodyLimit(MAX_NODE_BODY_BYTES))
                .handler(this::addNode)
                .failureHandler(rc -> {
                    if (rc.statusCode() == 413) {
                        errors.send(rc.response(), new ApiException(413, new ErrorBody("A node entry is at most "
                                + MAX_NODE_BODY_BYTES + " bytes", ErrorBody.INVALID_REQUEST, null, "request_too_large")));
                    } else {
                        rc.next();
                    }
                });
        router.delete("/admin/nodes/:node").handler(this::removeNode);
        if (scheduler != null) {
            router.post("/admin/explain").handler(BodyHandler.create(false).setBodyLimit(MAX_EXPLAIN_BODY_BYTES))
                    .handler(this::explain)
                    .failureHandler(rc -> {
                        if (rc.statusCode() == 413) {
                            errors.send(rc.response(), new ApiException(413, new ErrorBody("An explained request is at most "
                                    + MAX_EXPLAIN_BODY_BYTES + " bytes", ErrorBody.INVALID_REQUEST, null,
                                    "request_too_large")));
                        } else {
                            rc.next();
                        }
                    });
        }
        router.post("/admin/nodes/:node/drain").handler(rc -> drain(rc, true));
        router.post("/admin/nodes/:node/undrain").handler(rc -> drain(rc, false));
    }

    private void loopbackOnly(RoutingContext rc) {
        SocketAddress remote = rc.request().remoteAddress();
        if (remote != null && LoopbackOnly.isLoopback(remote.hostAddress())) {
            rc.next();
            return;
        }
        errors.send(rc.response(), new ApiException(403, new ErrorBody(
                "The admin API is reachable from loopback only; this connection comes from "
                        + (remote == null ? "an unknown address" : remote.hostAddress()),
                ErrorBody.INVALID_REQUEST, null, "admin_loopback_only")));
    }

    private void fleet(RoutingContext rc) {
        Instant now = clock.instant();
        JsonArray nodes = new JsonArray();
        for (NodeSnapshot s : registry.snapshots()) {
            nodes.add(nodeOf(s, now));
        }
        json(rc, new JsonObject().put("time", now.toEpochMilli())
                .put("fleet_ttft_p50_ms", millis(registry.fleetMedianTimesToFirstTokenMillis()))
                .put("nodes", nodes));
    }

    private void fleetNode(RoutingContext rc) {
        String node = rc.pathParam("node");
        NodeSnapshot s = registry.snapshot(node);
        if (s == null) {
            unknownNode(rc, node);
            return;
        }
        json(rc, nodeOf(s, clock.instant()));
    }

    private void drain(RoutingContext rc, boolean on) {
        String node = rc.pathParam("node");
        if (!on && registry.isRemoving(node)) {
            errors.send(rc.response(), new ApiException(409, new ErrorBody("Node '" + node
                    + "' is being removed: it leaves the fleet once its requests in flight have finished, and cannot be undrained",
                    ErrorBody.INVALID_REQUEST, null, "node_being_removed")));
            return;
        }
        NodeSnapshot s = registry.drain(node, on);
        if (s == null) {
            unknownNode(rc, node);
            return;
        }
        json(rc, nodeOf(s, clock.instant()));
    }

    /**
     * 201 with the new node (STARTING until its first passed health check, which runs at once) and
     * its address; 400 naming the field for a body that breaks the config file's rules; 409 when the
     * name or the URL is taken.
     */
    private void addNode(RoutingContext rc) {
        GatewayConfig.Node node;
        try {
            node = ConfigLoader.parseNode(rc.body().asString());
        } catch (ConfigException e) {
            String first = e.problems().get(0);
            String field = first.startsWith("(") ? null : first.substring(0, first.indexOf(':'));
            errors.send(rc.response(), ApiException.invalidRequest(field, "invalid_node",
                    "Invalid node: " + String.join("; ", e.problems())));
            return;
        }
        switch (registry.add(node)) {
            case AddResult.Added added -> rc.response().setStatusCode(201)
                    .putHeader(HttpHeaders.LOCATION, "/admin/fleet/" + added.snapshot().name())
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(nodeOf(added.snapshot(), clock.instant()).encode());
            case AddResult.Rejected rejected -> errors.send(rc.response(), conflict(rejected.conflict()));
        }
    }

    static ApiException conflict(Conflict c) {
        String code = c.kind() == Conflict.Kind.NAME_TAKEN ? "node_exists" : "url_in_use";
        return new ApiException(409, new ErrorBody("Node not added: " + c.message(), ErrorBody.INVALID_REQUEST,
                c.field(), code));
    }

    /**
     * 200 when nothing was in flight and the node has left the fleet; 202 when requests are still in
     * flight on it: it takes no new ones from now on and leaves once they have finished (poll
     * {@code GET /admin/fleet/{node}} until 404). Both answer the node's JSON with {@code removal}
     * ({@code done} or {@code pending}) and {@code in_flight}.
     */
    private void removeNode(RoutingContext rc) {
        String node = rc.pathParam("node");
        Instant now = clock.instant();
        switch (registry.remove(node, "removed by the admin API")) {
            case RemoveResult.Removed removed -> json(rc, node(removed.last(), now, false)
                    .put("removal", "done").put("in_flight", 0));
            case RemoveResult.Pending pending -> rc.response().setStatusCode(202)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(node(pending.snapshot(), now, true).put("removal", "pending")
                            .put("in_flight", pending.inFlight()).encode());
            case RemoveResult.Unknown unknown -> unknownNode(rc, node);
        }
    }

    private void unknownNode(RoutingContext rc, String node) {
        errors.send(rc.response(), ApiException.notFound("Unknown node: '" + node + "' (known: "
                + String.join(", ", registry.names()) + ")"));
    }

    /** The node's JSON as in {@code /admin/fleet}, with whether it is being removed and its median TTFT per model. */
    private JsonObject nodeOf(NodeSnapshot s, Instant now) {
        return node(s, now, registry.isRemoving(s.name()))
                .put("circuit", circuits.apply(s.name()))
                .put("ttft_p50_ms", millis(registry.medianTimesToFirstTokenMillis(s.name())));
    }

    /** The JSON of a node that is not being removed. */
    static JsonObject node(NodeSnapshot s, Instant now) {
        return node(s, now, false);
    }

    /** The node's JSON as in {@code /admin/fleet}; {@code removing} when it leaves once its requests in flight finish. */
    static JsonObject node(NodeSnapshot s, Instant now, boolean removing) {
        TelemetrySnapshot t = s.telemetry();
        EngineLoad l = t.load();
        JsonArray gpus = new JsonArray();
        for (GpuFigures g : t.gpus()) {
            gpus.add(new JsonObject().put("gpu", g.gpu()).put("name", g.name())
                    .put("utilisation", num(g.utilisation()))
                    .put("memory_used_bytes", num(g.memoryUsedBytes()))
                    .put("memory_total_bytes", num(g.memoryTotalBytes()))
                    .put("temperature_c", num(g.temperatureC()))
                    .put("power_w", num(g.powerW())));
        }
        HostFigures h = t.host();
        long age = t.ageMillis(now);
        return new JsonObject()
                .put("name", s.name())
                .put("url", s.baseUrl().toString())
                .put("up", s.up())
                .put("state", s.state().label())
                .put("removing", removing)
                .put("last_error", s.lastError())
                .put("outstanding", s.outstanding())
                .put("in_flight_tokens", s.inFlightTokens())
                .put("models", models(s))
                .put("data", t.state(now).name().toLowerCase(Locale.ROOT))
                .put("age_ms", age < 0 ? null : age)
                .put("scraped_at", t.scrapedAt() == null ? null : t.scrapedAt().toEpochMilli())
                .put("scrape_error", t.lastError())
                .put("engine", t.kind() == null ? null : t.kind().name().toLowerCase(Locale.ROOT))
                .put("load", new JsonObject()
                        .put("running", num(l.running()))
                        .put("waiting", num(l.waiting()))
                        .put("kv_cache_usage", num(l.kvCacheUsage()))
                        .put("tokens_per_second", num(t.generationTokensPerSecond()))
                        .put("prompt_tokens_per_second", num(t.promptTokensPerSecond()))
                        .put("generation_tokens_total", num(l.generationTokensTotal()))
                        .put("prompt_tokens_total", num(l.promptTokensTotal())))
                .put("gpus", gpus)
                .put("host", new JsonObject()
                        .put("cpu_usage", num(h.cpuUsage()))
                        .put("memory_used_bytes", num(h.memoryUsedBytes()))
                        .put("memory_total_bytes", num(h.memoryTotalBytes()))
                        .put("load1", num(h.load1())));
    }

    /** The models the node listed at its last good check, each with its context length (null when it states none). */
    private static JsonObject models(NodeSnapshot s) {
        JsonObject models = new JsonObject();
        for (String model : new java.util.TreeSet<>(s.models())) {
            models.put(model, new JsonObject().put("max_model_len", s.contextLength(model)));
        }
        return models;
    }

    private void series(RoutingContext rc) {
        String node = rc.pathParam("node");
        NodeHistory history = registry.snapshot(node) == null ? null : histories.apply(node);
        if (history == null) {
            errors.send(rc.response(), ApiException.notFound("Unknown node: '" + node + "' (known: "
                    + String.join(", ", registry.names()) + ")"));
            return;
        }
        String metricName = rc.request().getParam("metric");
        HistoryMetric metric = metricName == null ? null : HistoryMetric.byWireName(metricName).orElse(null);
        if (metric == null) {
            errors.send(rc.response(), ApiException.invalidRequest("metric", "invalid_metric",
                    "metric: " + (metricName == null ? "<missing>" : "'" + metricName + "'")
                            + " (expected one of: " + String.join(", ", HistoryMetric.wireNames()) + ")"));
            return;
        }
        Instant now = clock.instant();
        long since;
        try {
            since = parseSince(rc.request().getParam("since"), now);
        } catch (IllegalArgumentException e) {
            errors.send(rc.response(), ApiException.invalidRequest("since", "invalid_since", e.getMessage()));
            return;
        }
        SeriesRing.Points points = history.series(metric).since(since);
        JsonArray out = new JsonArray();
        for (int i = 0; i < points.size(); i++) {
            out.add(new JsonArray().add(points.times()[i]).add(points.values()[i]));
        }
        json(rc, new JsonObject().put("node", node).put("metric", metric.wireName()).put("unit", metric.unit())
                .put("points", out));
    }

    /**
     * The {@code since} parameter as epoch millis: absent means everything kept; an integer is epoch
     * milliseconds; an ISO-8601 instant ({@code 2026-01-01T10:00:00Z}); or a duration back from now
     * ({@code 5m}, {@code 30s}, {@code 500ms}, {@code 1h}, optionally followed by " ago").
     */
    static long parseSince(String since, Instant now) {
        if (since == null || since.isBlank()) {
            return Long.MIN_VALUE;
        }
        String s = since.trim();
        if (s.matches("\\d{1,18}")) {
            return Long.parseLong(s);
        }
        String back = s.endsWith(" ago") ? s.substring(0, s.length() - 4).trim() : s;
        Matcher m = AGO.matcher(back);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            return now.minus(d).toEpochMilli();
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("since: '" + since + "' (expected epoch milliseconds like 1767261600000, "
                    + "an ISO-8601 instant like 2026-01-01T10:00:00Z, or a duration back from now like 5m, 30s or 500ms)");
        }
    }

    /** model → ms, rounded to 0.1 ms. */
    private static JsonObject millis(java.util.Map<String, Double> byModel) {
        JsonObject out = new JsonObject();
        byModel.forEach((model, ms) -> out.put(model, Math.round(ms * 10) / 10.0));
        return out;
    }

    /**
     * How the scheduler would route a request body, without sending it anywhere: the profile, every
     * node with each filter's verdict (and what dropped it), each candidate's scores and weighted
     * total, and the pick. {@code ?endpoint=chat} (default) or {@code completions} says which
     * endpoint's body it is; the session key is the {@code x-session-id} header, else the body's {@code user}.
     */
    private void explain(RoutingContext rc) {
        String which = rc.queryParams().get("endpoint");
        Endpoint endpoint;
        if (which == null || which.equals("chat")) {
            endpoint = Endpoint.CHAT;
        } else if (which.equals("completions")) {
            endpoint = Endpoint.COMPLETIONS;
        } else {
            errors.send(rc.response(), ApiException.invalidRequest("endpoint", "invalid_value",
                    "endpoint: '" + which + "' (expected chat or completions)"));
            return;
        }
        InferenceRequest request;
        try {
            request = InferenceRequests.parse(endpoint, rc.body().buffer() == null ? new byte[0]
                    : rc.body().buffer().getBytes());
        } catch (ApiException e) {
            errors.send(rc.response(), e);
            return;
        }
        String header = rc.request().getHeader(RequestContext.SESSION_HEADER);
        String session = header != null && !header.isBlank() ? header : request.user();
        SchedulingRequest described = scheduler.describe(request, session);
        Explanation e = scheduler.explain(described, registry.snapshots(), java.util.Set.of(),
                node -> "open".equals(circuits.apply(node.name())) ? "circuit-open" : null);
        JsonArray nodes = new JsonArray();
        for (Explanation.NodeVerdict v : e.nodes()) {
            JsonArray filters = new JsonArray();
            v.filters().forEach(f -> filters.add(new JsonObject().put("filter", f.filter()).put("accepted", f.accepted())));
            JsonArray scores = new JsonArray();
            v.scores().forEach(s -> scores.add(new JsonObject().put("scorer", s.scorer()).put("weight", num(s.weight()))
                    .put("raw", num(s.raw())).put("score", num(s.clamped()))));
            nodes.add(new JsonObject().put("node", v.node()).put("state", v.state().toLowerCase(Locale.ROOT))
                    .put("candidate", v.droppedBy() == null).put("dropped_by", v.droppedBy())
                    .put("filters", filters).put("scores", scores).put("total", num(v.total())));
        }
        JsonObject out = new JsonObject().put("model", request.model()).put("endpoint", endpoint.path())
                .put("session", session).put("profile", e.profile()).put("picker", e.picker())
                .put("picked", e.picked()).put("nodes", nodes);
        if (hedges != null) {
            out.put("hedge", hedge(hedges.apply(request.model(), e.profile())));
        }
        json(rc, out);
    }

    /** The hedging a request would get; a {@code delay} of {@code p95} means the picked node's recent p95. */
    private static JsonObject hedge(GatewayConfig.Hedge h) {
        return new JsonObject().put("enabled", h.enabled())
                .put("delay", h.delay() == null ? "p95" : h.delay().toMillis() + "ms")
                .put("minDelay", h.minDelay().toMillis() + "ms").put("maxDelay", h.maxDelay().toMillis() + "ms");
    }

    private static Object num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private static void json(RoutingContext rc, JsonObject body) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.encode());
    }
}
