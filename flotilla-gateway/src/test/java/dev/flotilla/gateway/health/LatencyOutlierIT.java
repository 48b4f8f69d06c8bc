package dev.flotilla.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.NodeTransition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Passive latency-outlier detection end to end: three real node servers serving the same model,
 * one of them with a prefill 100 times slower. Streamed traffic through the gateway makes the slow
 * node DEGRADED (its median time to first token against the fleet's is shown in /admin/fleet),
 * traffic then avoids it, and once its samples age out of the window it is HEALTHY again.
 */
class LatencyOutlierIT {
    /** 5 ms prefill, 2 ms a token. */
    private static final AcceleratorProfile FAST = new AcceleratorProfile("fast-gpu", 16, 300, 65,
            2, 0, 5, 0, 8, 20_000, 4096);
    /** 500 ms prefill, 2 ms a token. */
    private static final AcceleratorProfile SLOW_PREFILL = new AcceleratorProfile("slow-prefill-gpu", 16, 300, 65,
            2, 0, 500, 0, 8, 20_000, 4096);
    private static final Duration WINDOW = Duration.ofSeconds(10);
    private static final int MIN_SAMPLES = 5;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<NodeTransition> transitions = new CopyOnWriteArrayList<>();
    private Gateway gateway;

    @AfterEach
    void tearDown() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        http.shutdownNow();
    }

    private GatewayConfig.Node node(String name, AcceleratorProfile profile) {
        SimulatedEngine engine = SimulatedEngine.realTime("m", profile);
        toClose.add(engine);
        NodeServer server = NodeServer.start(NodeServerConfig.loopback(name, 0), engine, Clock.systemUTC());
        toClose.add(server);
        return new GatewayConfig.Node(name, server.url());
    }

    private void stream() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/v1/chat/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true,\"max_tokens\":4,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains("data: [DONE]");
    }

    private long served(String node) {
        Matcher m = Pattern.compile("flotilla_requests_total\\{model=\"m\",node=\"" + node + "\",outcome=\"ok\"} (\\S+)")
                .matcher(gateway.scrapeMetrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private JsonObject fleet() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/admin/fleet"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return new JsonObject(r.body());
    }

    private static JsonObject nodeIn(JsonObject fleet, String name) {
        JsonArray nodes = fleet.getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            if (name.equals(nodes.getJsonObject(i).getString("name"))) {
                return nodes.getJsonObject(i);
            }
        }
        throw new AssertionError("no node " + name + " in " + nodes);
    }

    private NodeState state(String name) {
        return gateway.registry().snapshots().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow()
                .state();
    }

    @Test
    void slowPrefillNode_degradedWhileSlowTrafficAvoidsItThenHealthyWhenItsSamplesAgeOut() throws Exception {
        GatewayConfig config = GatewayConfig.of(List.of(node("a", FAST), node("b", FAST), node("slow", SLOW_PREFILL)))
                .withListen(GatewayConfig.Listen.loopback(0))
                // least-requests, not the default profile: the health check under test needs every node to
                // get its share of requests (the default profile learns to avoid the slow node by itself)
                .withRouting(new GatewayConfig.Routing("least-requests"))
                .withHealth(new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofMillis(500), 1, 2, 3,
                        Duration.ofSeconds(30), 0.5, 5).withOutliers(3.0, MIN_SAMPLES, WINDOW));
        gateway = Gateway.start(config, Clock.systemUTC());
        gateway.registry().addTransitionListener(transitions::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.registry().snapshots().stream()
                .allMatch(s -> s.state() == NodeState.HEALTHY));

        // idle nodes tie and the least-requests picker rotates among them: every node gets every third
        // request, so 3 x MIN_SAMPLES requests give every node enough samples; a few more absorb cold starts
        int sent = 0;
        while (sent < 6 * MIN_SAMPLES && state("slow") == NodeState.HEALTHY) {
            stream();
            sent++;
        }
        assertThat(state("slow")).as("state of the slow node; fleet: %s", fleet().encode()).isEqualTo(NodeState.DEGRADED);
        assertThat(transitions).anySatisfy(t -> {
            assertThat(t.node()).isEqualTo("slow");
            assertThat(t.to()).isEqualTo(NodeState.DEGRADED);
            assertThat(t.reason()).startsWith("latency outlier").contains("model m");
        });
        assertThat(state("a")).isEqualTo(NodeState.HEALTHY);
        assertThat(state("b")).isEqualTo(NodeState.HEALTHY);

        JsonObject fleet = fleet();
        assertThat(nodeIn(fleet, "slow").getString("state")).isEqualTo("degraded");
        double slowMedian = nodeIn(fleet, "slow").getJsonObject("ttft_p50_ms").getDouble("m");
        double fleetMedian = fleet.getJsonObject("fleet_ttft_p50_ms").getDouble("m");
        assertThat(slowMedian).as("the slow node's median TTFT includes its 500 ms prefill").isGreaterThan(500);
        assertThat(fleetMedian).as("the fleet median comes from the two fast nodes").isLessThan(100);
        assertThat(nodeIn(fleet, "a").getJsonObject("ttft_p50_ms").getDouble("m")).isLessThan(100);

        // the gateway counts a request once its response has ended, a moment after the client has it
        int before = sent;
        await().atMost(Duration.ofSeconds(2)).until(() -> served("a") + served("b") + served("slow") == before);
        long slowServed = served("slow");
        for (int i = 0; i < 6; i++) {
            stream();
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> served("a") + served("b") + served("slow") == before + 6);
        assertThat(served("slow")).as("a degraded node gets no traffic while healthy ones serve the model")
                .isEqualTo(slowServed);

        // no new samples reach the slow node: once its window is empty the health check finds it normal again
        await().atMost(WINDOW.plusSeconds(5)).until(() -> state("slow") == NodeState.HEALTHY);
        assertThat(nodeIn(fleet(), "slow").getJsonObject("ttft_p50_ms").containsKey("m")).isFalse();
    }
}
