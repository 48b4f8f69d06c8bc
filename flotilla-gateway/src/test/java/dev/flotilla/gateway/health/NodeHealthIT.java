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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Node health against two real nodes (simulated engines behind real node servers, 100 ms health
 * interval): a node whose server goes away is out of rotation within about one interval and comes
 * back only after {@code healthyAfter} passed checks; a drained node finishes its stream and gets
 * no new requests until undrained.
 */
class NodeHealthIT {
    // 50 ms a token: a streamed answer of 60 tokens runs for about 3 s
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow-gpu", 16, 300, 65,
            50, 0, 5, 0, 8, 20_000, 4096);
    private static final Duration INTERVAL = Duration.ofMillis(100);
    private static final int HEALTHY_AFTER = 3;

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
        http.shutdownNow(); // close() would wait for a stream a failed test left open
    }

    private NodeServer node(String name, int port) {
        SimulatedEngine engine = SimulatedEngine.realTime("m", SLOW);
        toClose.add(engine);
        NodeServer server = NodeServer.start(NodeServerConfig.loopback(name, port), engine, Clock.systemUTC());
        toClose.add(server);
        return server;
    }

    private void startGateway(NodeServer a, NodeServer b) {
        GatewayConfig config = GatewayConfig.of(List.of(new GatewayConfig.Node("a", a.url()),
                        new GatewayConfig.Node("b", b.url())))
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(INTERVAL, Duration.ofMillis(500), 1, HEALTHY_AFTER, 3,
                        Duration.ofSeconds(30), 0.5, 5));
        // least-requests' tie rotation places requests on both idle nodes (the default profile would
        // keep a repeated prompt on the node that has seen it)
        gateway = Gateway.start(config.withRouting(new GatewayConfig.Routing("least-requests")), Clock.systemUTC());
        gateway.registry().addTransitionListener(transitions::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.registry().snapshots().stream()
                .allMatch(s -> s.state() == NodeState.HEALTHY));
    }

    private HttpResponse<String> complete(int maxTokens) throws Exception {
        HttpResponse<String> r = http.send(chat(false, maxTokens), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private HttpRequest chat(boolean stream, int maxTokens) {
        return HttpRequest.newBuilder(gateway.url().resolve("/v1/chat/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":" + stream + ",\"max_tokens\":"
                        + maxTokens + ",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}]}"))
                .build();
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.url().resolve(path)).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Requests the node served successfully, from the gateway's request counter. */
    private long served(String node) {
        Matcher m = Pattern.compile("flotilla_requests_total\\{model=\"m\",node=\"" + node + "\",outcome=\"ok\"} (\\S+)")
                .matcher(gateway.scrapeMetrics());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private String fleetState(String node) throws Exception {
        JsonArray nodes = new JsonObject(admin("GET", "/admin/fleet").body()).getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            if (node.equals(nodes.getJsonObject(i).getString("name"))) {
                return nodes.getJsonObject(i).getString("state");
            }
        }
        throw new AssertionError("no node " + node + " in " + nodes);
    }

    @Test
    void nodeServerClosed_unhealthyWithinAnIntervalTrafficMovesAndReturnsAfterHealthyAfterChecks() throws Exception {
        NodeServer a = node("a", 0);
        NodeServer b = node("b", 0);
        startGateway(a, b);
        int port = a.port();

        Instant closed = Instant.now();
        a.close();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10))
                .until(() -> gateway.registry().snapshot("a").state() == NodeState.UNHEALTHY);
        NodeTransition down = transitions.stream().filter(t -> t.node().equals("a")).reduce((x, y) -> y).orElseThrow();
        assertThat(down.from()).isEqualTo(NodeState.HEALTHY);
        assertThat(down.to()).isEqualTo(NodeState.UNHEALTHY);
        // one interval to the next check plus its connection attempt, with slack for a busy 2-core machine
        assertThat(Duration.between(closed, down.at())).isLessThan(INTERVAL.multipliedBy(5));
        assertThat(fleetState("a")).isEqualTo("unhealthy");

        long aBefore = served("a");
        for (int i = 0; i < 4; i++) {
            complete(2);
        }
        assertThat(served("a")).isEqualTo(aBefore);
        assertThat(served("b")).isGreaterThanOrEqualTo(4);

        // taken before the node listens: no check can pass before this instant, however late this thread
        // runs again (reading the state just after the restart failed once on a busy machine: the test
        // thread was descheduled for the whole healthyAfter window)
        Instant restarted = Instant.now();
        node("a", port);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> gateway.registry().snapshot("a").state() == NodeState.HEALTHY);
        NodeTransition up = transitions.stream().filter(t -> t.node().equals("a")).reduce((x, y) -> y).orElseThrow();
        assertThat(up.from()).isEqualTo(NodeState.UNHEALTHY);
        assertThat(Duration.between(restarted, up.at()))
                .as("healthyAfter=%d checks %s apart", HEALTHY_AFTER, INTERVAL)
                .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(HEALTHY_AFTER - 1).minusMillis(20));
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            complete(2);
            assertThat(served("a")).isGreaterThan(aBefore);
        });
        assertThat(gateway.scrapeMetrics())
                .contains("flotilla_node_state_transitions_total{from=\"healthy\",node=\"a\",to=\"unhealthy\"} 1.0")
                .contains("flotilla_node_state_transitions_total{from=\"unhealthy\",node=\"a\",to=\"healthy\"} 1.0");
    }

    @Test
    void drain_duringLongStream_streamFinishesNewRequestsGoElsewhereUntilUndrain() throws Exception {
        startGateway(node("a", 0), node("b", 0));

        CompletableFuture<HttpResponse<Stream<String>>> stream = http.sendAsync(chat(true, 60),
                HttpResponse.BodyHandlers.ofLines());
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> gateway.nodes().stream().anyMatch(s -> s.outstanding() == 1));
        String busy = gateway.nodes().stream().filter(s -> s.outstanding() == 1).findFirst().orElseThrow().name();
        String other = busy.equals("a") ? "b" : "a";

        HttpResponse<String> drained = admin("POST", "/admin/nodes/" + busy + "/drain");
        assertThat(drained.statusCode()).as(drained.body()).isEqualTo(200);
        assertThat(new JsonObject(drained.body()).getString("state")).isEqualTo("draining");
        assertThat(new JsonObject(drained.body()).getBoolean("up")).isTrue();
        assertThat(fleetState(busy)).isEqualTo("draining");
        assertThat(gateway.scrapeMetrics()).contains("flotilla_node_state{node=\"" + busy + "\",state=\"draining\"} 1.0");

        long otherBefore = served(other);
        for (int i = 0; i < 5; i++) {
            complete(2);
        }
        // the gateway counts a request once its response has ended, a moment after the client has it
        await().atMost(Duration.ofSeconds(2)).until(() -> served(other) == otherBefore + 5);
        assertThat(served(busy)).as("the stream has not finished yet, nothing else went there").isZero();
        assertThat(gateway.registry().snapshot(busy).outstanding()).isEqualTo(1);

        HttpResponse<Stream<String>> response = stream.get();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
        await().atMost(Duration.ofSeconds(2)).until(() -> served(busy) == 1);
        assertThat(fleetState(busy)).as("health checks keep it draining").isEqualTo("draining");

        HttpResponse<String> undrained = admin("POST", "/admin/nodes/" + busy + "/undrain");
        assertThat(undrained.statusCode()).as(undrained.body()).isEqualTo(200);
        assertThat(new JsonObject(undrained.body()).getString("state")).isEqualTo("healthy");
        for (int i = 0; i < 4; i++) {
            complete(2);
        }
        assertThat(served(busy)).as("idle ties rotate, so it takes some of them").isGreaterThan(1);
    }

    @Test
    void drain_unknownNode_404NamingKnownNodes() throws Exception {
        startGateway(node("a", 0), node("b", 0));
        HttpResponse<String> r = admin("POST", "/admin/nodes/nope/drain");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("Unknown node: 'nope' (known: a, b)");
        assertThat(admin("POST", "/admin/nodes/nope/undrain").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/admin/nodes/a/drain").statusCode()).as("drain is POST only").isIn(404, 405);
        assertThat(gateway.registry().snapshot("a").state()).isEqualTo(NodeState.HEALTHY);
    }
}
