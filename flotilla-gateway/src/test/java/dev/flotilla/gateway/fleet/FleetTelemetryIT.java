package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's telemetry against two real nodes (simulated engines behind real node servers):
 * the admin API shows the busy node busy and the idle one idle, with fresh data and history, and a
 * node that stops answering goes stale while the other stays fresh.
 */
class FleetTelemetryIT {
    // 50 ms a token: a streamed answer of 80 tokens runs for about 4 s
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow-gpu", 16, 300, 65,
            50, 0, 5, 0, 8, 20_000, 4096);
    private static final Duration STALE_AFTER = Duration.ofMillis(600);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SimulatedEngine busyEngine;
    private SimulatedEngine idleEngine;
    private NodeServer busy;
    private NodeServer idle;
    private Gateway gateway;

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        for (NodeServer n : new NodeServer[] {busy, idle}) {
            if (n != null) {
                n.close();
            }
        }
        Stream.of(busyEngine, idleEngine).forEach(e -> {
            if (e != null) {
                e.close();
            }
        });
        http.shutdownNow(); // close() would wait for a stream a failed test left open
    }

    private JsonObject get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve(path))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private JsonObject fleetNode(String name) throws Exception {
        JsonArray nodes = get("/admin/fleet").getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            if (name.equals(nodes.getJsonObject(i).getString("name"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("no node " + name + " in " + nodes);
    }

    @Test
    void adminFleet_streamOnOneNode_showsItBusyTheOtherIdleAndStaleAfterStop() throws Exception {
        busyEngine = SimulatedEngine.realTime("model-a", SLOW);
        idleEngine = SimulatedEngine.realTime("model-b", SLOW);
        busy = NodeServer.start(NodeServerConfig.loopback("busy", 0), busyEngine, Clock.systemUTC());
        idle = NodeServer.start(NodeServerConfig.loopback("idle", 0), idleEngine, Clock.systemUTC());
        GatewayConfig config = GatewayConfig.of(List.of(new GatewayConfig.Node("busy", busy.url()),
                        new GatewayConfig.Node("idle", idle.url())))
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofMillis(500)))
                .withTelemetry(new GatewayConfig.Telemetry(Duration.ofMillis(100), Duration.ofMillis(100),
                        Duration.ofMinutes(1), STALE_AFTER))
                // least-requests sends the one stream to the first node, "busy" (the default profile may
                // choose either of two idle nodes)
                .withRouting(new GatewayConfig.Routing("least-requests"));
        gateway = Gateway.start(config, Clock.systemUTC());

        CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(HttpRequest.newBuilder(
                        gateway.url().resolve("/v1/chat/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"model-a\",\"stream\":true,\"max_tokens\":80,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofLines());

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonObject b = fleetNode("busy");
            assertThat(b.getString("data")).isEqualTo("fresh");
            assertThat(b.getBoolean("up")).isTrue();
            assertThat(b.getString("engine")).isEqualTo("flotilla");
            assertThat(b.getJsonObject("load").getDouble("running")).isGreaterThanOrEqualTo(1.0);
            assertThat(b.getInteger("outstanding")).isEqualTo(1);
            assertThat(b.getJsonArray("gpus").getJsonObject(0).getDouble("utilisation")).isGreaterThan(0.0);
            assertThat(b.getLong("age_ms")).isBetween(0L, STALE_AFTER.toMillis());
        });
        JsonObject i = fleetNode("idle");
        assertThat(i.getString("data")).isEqualTo("fresh");
        assertThat(i.getJsonObject("load").getDouble("running")).isZero();
        assertThat(i.getInteger("outstanding")).isZero();
        assertThat(i.getJsonObject("host").getDouble("memory_total_bytes")).isPositive();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonArray points = get("/admin/fleet/busy/series?metric=running&since=1m").getJsonArray("points");
            assertThat(points.size()).isGreaterThanOrEqualTo(5);
            assertThat(points.getJsonArray(points.size() - 1).getDouble(1)).isGreaterThanOrEqualTo(1.0);
        });
        assertThat(gateway.scrapeMetrics()).contains("flotilla_scrape_duration_seconds_count{node=\"busy\"}");

        idle.close();
        idle = null;
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> "stale".equals(fleetNode("idle").getString("data")));
        JsonObject stale = fleetNode("idle");
        assertThat(stale.getLong("age_ms")).isGreaterThan(STALE_AFTER.toMillis());
        assertThat(stale.getString("scrape_error")).startsWith("scrape of /metrics:");
        assertThat(fleetNode("busy").getString("data")).isEqualTo("fresh");
        assertThat(gateway.scrapeMetrics()).containsPattern("flotilla_scrape_failures_total\\{node=\"idle\"} [1-9]");

        HttpResponse<Stream<String>> response = stream.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
    }

    @Test
    void adminSeries_badRequests_answerOpenAiErrors() throws Exception {
        idleEngine = SimulatedEngine.realTime("model-b", SLOW);
        idle = NodeServer.start(NodeServerConfig.loopback("idle", 0), idleEngine, Clock.systemUTC());
        gateway = Gateway.start(GatewayConfig.of(List.of(new GatewayConfig.Node("idle", idle.url())))
                .withListen(GatewayConfig.Listen.loopback(0)), Clock.systemUTC());

        HttpResponse<String> unknownNode = raw("/admin/fleet/nope/series?metric=running");
        assertThat(unknownNode.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(unknownNode.body()).getJsonObject("error").getString("message"))
                .isEqualTo("Unknown node: 'nope' (known: idle)");
        HttpResponse<String> unknownMetric = raw("/admin/fleet/idle/series?metric=fun");
        assertThat(unknownMetric.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(unknownMetric.body()).getJsonObject("error").getString("message"))
                .isEqualTo("metric: 'fun' (expected one of: running, waiting, kv_cache_usage, tokens_per_second, "
                        + "gpu_utilisation, gpu_memory_used, gpu_temperature, gpu_power, host_cpu, host_memory_used)");
        HttpResponse<String> badSince = raw("/admin/fleet/idle/series?metric=running&since=soon");
        assertThat(badSince.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(badSince.body()).getJsonObject("error").getString("param")).isEqualTo("since");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonObject series = get("/admin/fleet/idle/series?metric=host_memory_used&since=2026-01-01T00:00:00Z");
            assertThat(series.getString("unit")).isEqualTo("bytes");
            assertThat(series.getJsonArray("points")).isNotEmpty();
        });
    }

    private HttpResponse<String> raw(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.url().resolve(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
