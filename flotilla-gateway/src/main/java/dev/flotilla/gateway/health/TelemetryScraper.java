package dev.flotilla.gateway.health;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.MembershipEvent;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.NodeHistory;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.fleet.telemetry.TelemetryUpdate;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.protocol.PrometheusText;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * Scrapes every node's {@code /metrics} each telemetry interval, all nodes in parallel, with a
 * bounded time per scrape; parses it leniently, maps it ({@link TelemetryUpdate}) and publishes
 * the node's new {@link TelemetrySnapshot} in the registry in one atomic step, then appends the
 * figures to the node's {@link NodeHistory}. A failed scrape keeps the previous figures (which
 * turn stale with time) and records the error. Runs on the Vert.x context it was started on; the
 * parsing is CPU-only and small, and nothing blocks. A node whose previous scrape is still running
 * is skipped. Follows the fleet's membership: a node that joins gets an empty history and is
 * scraped at once; a node that leaves loses its history, and a scrape of it still under way is
 * dropped when it ends.
 */
public final class TelemetryScraper {
    /** A larger exposition is refused: a node's /metrics is a few kilobytes. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final Vertx vertx;
    private final HttpClient client;
    private final NodeRegistry registry;
    private final GatewayMetrics metrics;
    private final GatewayConfig.Telemetry settings;
    private final Clock clock;
    private final LongSupplier nanoTicker;
    private final Map<String, NodeHistory> histories = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private volatile long timerId = -1;
    private volatile Context context;

    public TelemetryScraper(Vertx vertx, HttpClient client, NodeRegistry registry, GatewayMetrics metrics,
                            GatewayConfig.Telemetry settings, Clock clock, LongSupplier nanoTicker) {
        this.vertx = vertx;
        this.client = client;
        this.registry = registry;
        this.metrics = metrics;
        this.settings = settings;
        this.clock = clock;
        this.nanoTicker = nanoTicker;
        for (NodeSnapshot s : registry.snapshots()) {
            histories.put(s.name(), new NodeHistory(settings.historyPoints()));
        }
        registry.addMembershipListener(this::membershipChanged);
    }

    private void membershipChanged(MembershipEvent event) {
        switch (event) {
            case MembershipEvent.Added added -> {
                histories.put(added.node(), new NodeHistory(settings.historyPoints()));
                Context ctx = context;
                if (ctx != null) {
                    ctx.runOnContext(v -> {
                        if (context != null) {
                            scrape(added.snapshot());
                        }
                    });
                }
            }
            case MembershipEvent.Removed removed -> histories.remove(removed.node());
            default -> { }
        }
    }

    /** Scrapes every node now and then every interval; completes after the first round. Call on a Vert.x context. */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        timerId = vertx.setPeriodic(settings.interval().toMillis(), id -> scrapeAll());
        return scrapeAll();
    }

    public void stop() {
        context = null;
        long id = timerId;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    /** The history of the named node, or null when there is no such node. */
    public NodeHistory history(String node) {
        return histories.get(node);
    }

    /** Scrapes every node once; completes (never fails) when all scrapes have finished. */
    public Future<Void> scrapeAll() {
        List<Future<Void>> scrapes = new ArrayList<>();
        for (NodeSnapshot node : registry.snapshots()) {
            scrapes.add(scrape(node));
        }
        return Future.join(scrapes).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> scrape(NodeSnapshot node) {
        String name = node.name();
        // keyed by URL too: a node replaced under the same name is scraped even while the old one's scrape runs
        String key = name + " " + node.baseUrl();
        if (!running.add(key)) {
            return Future.succeededFuture();
        }
        long started = nanoTicker.getAsLong();
        return fetch(node)
                .andThen(result -> {
                    running.remove(key);
                    NodeSnapshot current = registry.snapshot(name);
                    if (current == null || !current.baseUrl().equals(node.baseUrl())) {
                        return; // the node left (or is another server now): its series are gone, keep them so
                    }
                    double seconds = (nanoTicker.getAsLong() - started) / 1e9;
                    metrics.recordScrape(name, seconds, result.succeeded());
                    if (result.succeeded()) {
                        PrometheusText.Exposition exposition = PrometheusText.parseLenient(result.result());
                        TelemetrySnapshot published = registry.publishTelemetry(name,
                                previous -> TelemetryUpdate.apply(previous, exposition, clock.instant()));
                        NodeHistory history = histories.get(name);
                        if (published != null && history != null) {
                            history.record(published);
                        }
                    } else {
                        String error = "scrape of /metrics: " + describe(result.cause());
                        registry.publishTelemetry(name, previous -> previous.failed(error));
                    }
                })
                .<Void>mapEmpty()
                .otherwiseEmpty();
    }

    private Future<String> fetch(NodeSnapshot node) {
        long timeout = settings.timeout().toMillis();
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(node.baseUrl().resolve("/metrics").toString())
                .setConnectTimeout(timeout)
                .setIdleTimeout(timeout);
        Promise<String> result = Promise.promise();
        HttpClientRequest[] request = new HttpClientRequest[1];
        // the whole exchange is bounded, not only each silence: a trickling node cannot hold a scrape
        long timer = vertx.setTimer(timeout, id -> {
            if (result.tryFail(new TimeoutException("no complete answer within " + timeout + " ms"))
                    && request[0] != null) {
                request[0].reset();
            }
        });
        client.request(options)
                .compose(req -> {
                    request[0] = req;
                    return req.send();
                })
                .onSuccess(resp -> {
                    if (resp.statusCode() != 200) {
                        resp.body().onComplete(ignored -> result.tryFail(
                                new IOException("/metrics answered " + resp.statusCode())));
                        return;
                    }
                    Buffer body = Buffer.buffer();
                    resp.handler(chunk -> {
                        if (body.length() + chunk.length() > MAX_BODY_BYTES) {
                            if (result.tryFail(new IOException("/metrics is larger than " + MAX_BODY_BYTES + " bytes"))) {
                                request[0].reset();
                            }
                        } else {
                            body.appendBuffer(chunk);
                        }
                    });
                    resp.exceptionHandler(result::tryFail);
                    resp.endHandler(v -> result.tryComplete(body.toString(StandardCharsets.UTF_8)));
                })
                .onFailure(result::tryFail);
        return result.future().andThen(ignored -> vertx.cancelTimer(timer));
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
