package dev.flotilla.engine.server;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.telemetry.GpuSample;
import dev.flotilla.engine.telemetry.NodeTelemetry;
import dev.flotilla.engine.telemetry.TelemetrySample;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.ErrorBody;
import dev.flotilla.protocol.ModelCard;
import dev.flotilla.protocol.OpenAiJson;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP server: the OpenAI API over one {@link Engine}, plus {@code /health},
 * {@code /node/info} and {@code /metrics} (vLLM metric names, GPUs under DCGM names, host figures).
 * Handlers are thin: the generation itself is a {@link GenerationExchange}; the hardware is read by a
 * {@link NodeTelemetry} on worker threads, never on the event loop.
 */
public final class NodeServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeServer.class);
    private static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    private final NodeServerConfig config;
    private final Engine engine;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final NodeTelemetry telemetry;
    private final Vertx vertx;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final long startedAt;
    private HttpServer server;

    private NodeServer(NodeServerConfig config, Engine engine, Clock clock, NodeTelemetry telemetry) {
        this.config = config;
        this.engine = engine;
        this.clock = clock;
        this.telemetry = telemetry;
        this.metrics = new NodeMetrics(engine, telemetry);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(config.eventLoops()));
        this.startedAt = clock.instant().getEpochSecond();
    }

    /**
     * Starts the server and blocks until it listens; fails with the address if the port is taken.
     * Hardware telemetry is {@link NodeTelemetry#detect}: the host, plus the modelled GPU of a
     * simulated engine, or nvidia-smi when it is on the PATH.
     */
    public static NodeServer start(NodeServerConfig config, Engine engine, Clock clock) {
        return start(config, engine, clock, NodeTelemetry.detect(engine, clock));
    }

    /** Starts the server with the given hardware telemetry (e.g. a DCGM exporter as GPU source). */
    public static NodeServer start(NodeServerConfig config, Engine engine, Clock clock, NodeTelemetry telemetry) {
        NodeServer node = new NodeServer(config, engine, clock, java.util.Objects.requireNonNull(telemetry, "telemetry"));
        try {
            node.listen();
        } catch (RuntimeException e) {
            node.vertx.close();
            throw e;
        }
        return node;
    }

    private void listen() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        router.post("/v1/chat/completions").handler(ctx -> generate(ctx, dev.flotilla.protocol.Endpoint.CHAT));
        router.post("/v1/completions").handler(ctx -> generate(ctx, dev.flotilla.protocol.Endpoint.COMPLETIONS));
        router.get("/v1/models").handler(this::models);
        router.get("/health").handler(this::health);
        router.get("/node/info").handler(this::info);
        router.get("/metrics").handler(this::metrics);
        Errors.install(router);
        HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port())
                .setTcpNoDelay(true).setCompressionSupported(false);
        try {
            server = vertx.createHttpServer(options).requestHandler(router).listen()
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node " + config.name() + ": cannot listen on " + config.host() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
        LOG.info("node {} serving model {} on {}; GPU telemetry: {}", config.name(), engine.model(), url(),
                telemetry.gpu().description());
    }

    private void generate(RoutingContext ctx, dev.flotilla.protocol.Endpoint endpoint) {
        if (closing.get()) {
            Errors.send(ctx, ApiException.unavailable("node " + config.name() + " is shutting down"));
            return;
        }
        GenerationExchange.start(ctx, endpoint, engine, metrics, clock);
    }

    private void models(RoutingContext ctx) {
        // the context one generation has (prompt plus output), so the gateway can keep longer prompts away
        ctx.response().putHeader("content-type", "application/json")
                .end(OpenAiJson.modelList(List.of(new ModelCard(engine.model(), startedAt, "flotilla",
                        engine.info().contextPerSlot()))));
    }

    private void health(RoutingContext ctx) {
        if (closing.get()) {
            ctx.response().setStatusCode(503).putHeader("content-type", "application/json")
                    .end(new JsonObject().put("status", "stopping").encode());
            return;
        }
        ctx.response().putHeader("content-type", "application/json")
                .end(new JsonObject().put("status", "ok").put("model", engine.model()).encode());
    }

    private void info(RoutingContext ctx) {
        // reading the hardware may block (nvidia-smi, DCGM): off the event loop
        vertx.executeBlocking(telemetry::sample, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                info(ctx, ar.result());
            }
        });
    }

    private void info(RoutingContext ctx, TelemetrySample t) {
        var i = engine.info();
        var s = engine.state();
        JsonObject body = new JsonObject()
                .put("name", config.name())
                .put("engine", i.engine())
                .put("accelerator", i.accelerator())
                .put("memory_gb", i.memoryGb())
                .put("bandwidth_gbs", i.bandwidthGbs())
                .put("tflops_bf16", i.tflopsBf16())
                .put("models", List.of(engine.model()))
                .put("slots", i.slots())
                .put("context_per_slot", i.contextPerSlot())
                .put("running", s.running())
                .put("waiting", s.waiting())
                .put("kv_cache_usage", s.kvCacheUsage())
                .put("tokens_per_second", s.tokensPerSecond())
                .put("telemetry", telemetryJson(t));
        ctx.response().putHeader("content-type", "application/json").end(body.encode());
    }

    static JsonObject telemetryJson(TelemetrySample t) {
        JsonObject host = new JsonObject()
                .put("cpu_usage", number(t.host().cpuUsage()))
                .put("memory_used_bytes", t.host().memoryUsedBytes())
                .put("memory_total_bytes", t.host().memoryTotalBytes())
                .put("load1", number(t.host().load1()));
        JsonArray gpus = new JsonArray();
        for (GpuSample g : t.gpus()) {
            gpus.add(new JsonObject()
                    .put("index", g.index())
                    .put("name", g.name())
                    .put("utilisation", number(g.utilisation()))
                    .put("memory_used_bytes", g.memoryUsedBytes() < 0 ? null : g.memoryUsedBytes())
                    .put("memory_total_bytes", g.memoryTotalBytes() < 0 ? null : g.memoryTotalBytes())
                    .put("temperature_c", number(g.temperatureC()))
                    .put("power_w", number(g.powerW())));
        }
        return new JsonObject().put("host", host).put("gpu_source", t.gpuSource()).put("gpu_error", t.gpuError())
                .put("gpus", gpus);
    }

    /** JSON has no NaN: an unknown figure is null. */
    private static Double number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : v;
    }

    private void metrics(RoutingContext ctx) {
        // a scrape reads the hardware, which may block (nvidia-smi, DCGM): off the event loop
        vertx.executeBlocking(metrics::scrape, false).onComplete(ar -> {
            if (ar.failed()) {
                ctx.fail(ar.cause());
            } else {
                ctx.response().putHeader("content-type", metrics.contentType()).end(ar.result());
            }
        });
    }

    /** The hardware telemetry this node reports. */
    public NodeTelemetry telemetry() {
        return telemetry;
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    public Engine engine() {
        return engine;
    }

    /** Stops taking requests, then stops the server; the engine is closed by its owner. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            if (server != null) {
                server.close().await(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            LOG.warn("node {}: closing the HTTP server: {}", config.name(), e.toString());
        } finally {
            vertx.close().await();
        }
    }

    /** Maps exceptions and unrouted requests to OpenAI error bodies. */
    static final class Errors {
        private Errors() {
        }

        static void install(Router router) {
            router.errorHandler(404, ctx -> send(ctx, ApiException.notFound(
                    "Unknown path: " + ctx.request().method() + " " + ctx.request().path())));
            router.errorHandler(405, ctx -> send(ctx, new ApiException(405, new ErrorBody(
                    "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(),
                    ErrorBody.INVALID_REQUEST, null, "method_not_allowed"))));
            router.errorHandler(413, ctx -> send(ctx, new ApiException(413, new ErrorBody(
                    "The request body is larger than " + MAX_BODY_BYTES + " bytes",
                    ErrorBody.INVALID_REQUEST, null, "request_too_large"))));
            router.errorHandler(500, ctx -> {
                Throwable t = ctx.failure();
                if (t instanceof ApiException api) {
                    send(ctx, api);
                } else {
                    LOG.error("unexpected error on {}", ctx.request().path(), t);
                    send(ctx, ApiException.internal("internal error: " + (t == null ? "unknown" : t.toString())));
                }
            });
        }

        static void send(RoutingContext ctx, ApiException e) {
            if (ctx.response().headWritten()) {
                ctx.response().reset();
                return;
            }
            ctx.response().setStatusCode(e.status()).putHeader("content-type", "application/json")
                    .end(e.body().toJson());
        }
    }
}
