package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayIT {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM =
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        StubNode.await(vertx.close());
        http.shutdownNow(); // close() would wait for a stream a failed test left open
    }

    private Gateway gateway(GatewayConfig.Health health, GatewayConfig.Dispatch dispatch, long maxBody, StubNode... nodes) {
        List<GatewayConfig.Node> configured = Stream.of(nodes).map(n -> new GatewayConfig.Node(n.name, n.url())).toList();
        return gateway(health, dispatch, maxBody, configured);
    }

    private Gateway gateway(GatewayConfig.Health health, GatewayConfig.Dispatch dispatch, long maxBody,
                            List<GatewayConfig.Node> nodes) {
        GatewayConfig config = GatewayConfig.of(nodes)
                .withListen(new GatewayConfig.Listen("127.0.0.1", 0, maxBody))
                .withHealth(health)
                .withDispatch(dispatch)
                // these tests place requests on nodes by least-requests' tie rotation (the default
                // profile, flotilla, prefers the node that has seen a prompt: its own tests are elsewhere)
                .withRouting(new GatewayConfig.Routing("least-requests"));
        Gateway g = Gateway.start(config, Clock.systemUTC());
        toClose.add(g);
        return g;
    }

    private Gateway gateway(StubNode... nodes) {
        return gateway(fastHealth(), GatewayConfig.Dispatch.defaults(), GatewayConfig.Listen.DEFAULT_MAX_BODY_BYTES, nodes);
    }

    private static GatewayConfig.Health fastHealth() {
        return new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofMillis(500));
    }

    private StubNode stub(String name, String... models) {
        return new StubNode(vertx, name, List.of(models)).start();
    }

    private HttpResponse<String> post(Gateway g, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(g.url().resolve(path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(Gateway g, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(g.url().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String servedBy(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String body = response.body();
        int i = body.indexOf("\"id\":\"") + 6;
        return body.substring(i, body.indexOf('"', i));
    }

    private static NodeSnapshot node(Gateway g, String name) {
        return g.registry().snapshot(name);
    }

    @Test
    void start_nodesUp_healthCountsAndModelsUnion() throws Exception {
        StubNode a = stub("a", "m", "x");
        StubNode b = stub("b", "m", "y");
        Gateway g = gateway(a, b);

        assertThat(g.port()).isPositive();
        HttpResponse<String> health = get(g, "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\",\"nodes_up\":2,\"nodes_total\":2}");
        HttpResponse<String> models = get(g, "/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).startsWith("{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\"")
                .contains("\"id\":\"x\"", "\"id\":\"y\"");
        assertThat(models.body().split("\"id\":\"m\"", -1)).hasSize(2);
    }

    @Test
    void requests_twoIdleNodes_leastRequestsSpreadsThem() throws Exception {
        StubNode a = stub("a", "m");
        StubNode b = stub("b", "m");
        Gateway g = gateway(a, b);

        List<String> served = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            served.add(servedBy(post(g, "/v1/chat/completions", CHAT)));
        }
        Map<String, Long> counts = served.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(counts).containsEntry("a", 3L).containsEntry("b", 3L);
        assertThat(a.lastBody.get()).isEqualTo(CHAT);
    }

    @Test
    void requests_oneNodeBusyWithStream_goToTheOtherNode() throws Exception {
        StubNode a = stub("a", "m");
        StubNode b = stub("b", "m");
        Promise<Void> releaseA = a.holdStreams();
        Promise<Void> releaseB = b.holdStreams();
        Gateway g = gateway(a, b);

        var stream = http.sendAsync(HttpRequest.newBuilder(g.url().resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_STREAM)).build(), HttpResponse.BodyHandlers.ofString());
        await().until(() -> a.firstChunkSent.get() || b.firstChunkSent.get());
        String busy = a.firstChunkSent.get() ? "a" : "b";
        assertThat(node(g, busy).outstanding()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(servedBy(post(g, "/v1/chat/completions", CHAT))).isNotEqualTo(busy);
        }
        releaseA.complete();
        releaseB.complete();
        assertThat(stream.get().statusCode()).isEqualTo(200);
        await().until(() -> node(g, busy).outstanding() == 0);
    }

    @Test
    void streaming_chunksReachClientBeforeStreamEnds() throws Exception {
        StubNode a = stub("a", "m");
        Promise<Void> release = a.holdStreams();
        Gateway g = gateway(a);

        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(g.url().resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_STREAM)).build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("content-length")).isEmpty();
        Iterator<String> lines = response.body().iterator();
        String first = lines.next();
        assertThat(first).startsWith("data: ").contains("\"content\":\"one\"");
        // the stub has not sent chunk 2 yet: it waits for the test
        assertThat(release.future().isComplete()).isFalse();
        release.complete();
        List<String> rest = new ArrayList<>();
        lines.forEachRemaining(rest::add);
        assertThat(rest).anyMatch(l -> l.contains("\"content\":\"two\""));
        assertThat(rest).contains("data: [DONE]");
        await().until(() -> node(g, "a").outstanding() == 0);
    }

    @Test
    void health_stoppedNode_skippedUntilItAnswersAgain() throws Exception {
        StubNode a = stub("a", "m");
        StubNode b = stub("b", "m");
        Gateway g = gateway(a, b);
        int portA = a.port();

        a.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !node(g, "a").up());
        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(post(g, "/v1/chat/completions", CHAT))).isEqualTo("b");
        }
        assertThat(get(g, "/health").body()).contains("\"nodes_up\":1");

        a.start(portA);
        await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").up());
        List<String> served = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            served.add(servedBy(post(g, "/v1/chat/completions", CHAT)));
        }
        assertThat(served).contains("a", "b");
    }

    @Test
    void health_non200_marksDown() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(a);
        a.healthy.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> !node(g, "a").up());
        assertThat(node(g, "a").lastError()).contains("/health answered 503");
    }

    @Test
    void dispatch_refusedConnection_marksDownAndRetriesOnOtherNode() throws Exception {
        StubNode a = stub("a", "m");
        StubNode b = stub("b", "m");
        // checks so rare that only the passive (dispatch) path can notice the dead node
        Gateway g = gateway(new GatewayConfig.Health(Duration.ofMinutes(10), Duration.ofSeconds(2)),
                GatewayConfig.Dispatch.defaults(), GatewayConfig.Listen.DEFAULT_MAX_BODY_BYTES, a, b);
        assertThat(node(g, "a").up()).isTrue();
        a.stop();

        for (int i = 0; i < 4; i++) {
            assertThat(servedBy(post(g, "/v1/chat/completions", CHAT))).isEqualTo("b");
        }
        assertThat(node(g, "a").up()).isFalse();
        assertThat(node(g, "a").lastError()).contains("could not be reached");
        await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").outstanding() == 0);
        assertThat(b.inferenceRequests.get()).isEqualTo(4);
    }

    @Test
    void dispatch_onlyNodeClosesConnection_502() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(new GatewayConfig.Health(Duration.ofMinutes(10), Duration.ofSeconds(2)),
                GatewayConfig.Dispatch.defaults(), GatewayConfig.Listen.DEFAULT_MAX_BODY_BYTES, a);
        a.mode.set(StubNode.Mode.CLOSE);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("\"code\":\"node_unreachable\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").outstanding() == 0);
    }

    @Test
    void dispatch_nodeError_passedThroughUnchanged() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(a);
        a.mode.set(StubNode.Mode.FAIL);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).isEqualTo(
                "{\"error\":{\"message\":\"stub failure\",\"type\":\"server_error\",\"param\":null,\"code\":\"stub\"}}");
        // the load is released just after the last byte is written: the client may see it first
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").outstanding() == 0);
            assertThat(get(g, "/metrics").body()).contains(
                    "flotilla_requests_total{model=\"m\",node=\"a\",outcome=\"node_error\"} 1.0");
        });
    }

    @Test
    void dispatch_silentNode_504AndLoadReleased() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(fastHealth(), new GatewayConfig.Dispatch(Duration.ofSeconds(2), Duration.ofMillis(300), 64),
                GatewayConfig.Listen.DEFAULT_MAX_BODY_BYTES, a);
        a.mode.set(StubNode.Mode.HANG);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("\"code\":\"node_timeout\"");
        await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").outstanding() == 0);
        await().until(a.closedMidStream::get);
    }

    @Test
    void clientDisconnect_midStream_closesUpstreamAndReleasesLoad() throws Exception {
        StubNode a = stub("a", "m");
        a.holdStreams();
        Gateway g = gateway(a);

        try (Socket socket = new Socket("127.0.0.1", g.port())) {
            OutputStream out = socket.getOutputStream();
            byte[] body = CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertThat(line).contains("\"content\":\"one\"");
            assertThat(node(g, "a").outstanding()).isEqualTo(1);
        }
        await().atMost(Duration.ofSeconds(5)).until(a.closedMidStream::get);
        await().atMost(Duration.ofSeconds(5)).until(() -> node(g, "a").outstanding() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> get(g, "/metrics").body().contains(
                "flotilla_requests_total{model=\"m\",node=\"a\",outcome=\"cancelled\"} 1.0"));
    }

    @Test
    void errors_badRequests_openAiBodiesWithStatus() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(fastHealth(), GatewayConfig.Dispatch.defaults(), 2048, a);

        HttpResponse<String> invalidJson = post(g, "/v1/chat/completions", "{\"model\":");
        assertThat(invalidJson.statusCode()).isEqualTo(400);
        assertThat(invalidJson.body()).contains("\"type\":\"invalid_request_error\"", "\"code\":\"invalid_json\"");

        HttpResponse<String> missing = post(g, "/v1/chat/completions", "{\"model\":\"m\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("\"param\":\"messages\"", "missing_required_parameter");

        HttpResponse<String> negative = post(g, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\",\"max_tokens\":-1}");
        assertThat(negative.statusCode()).isEqualTo(400);
        assertThat(negative.body()).contains("\"param\":\"max_tokens\"");

        HttpResponse<String> unknownModel = post(g, "/v1/chat/completions", CHAT.replace("\"m\"", "\"nope\""));
        assertThat(unknownModel.statusCode()).isEqualTo(404);
        assertThat(unknownModel.body()).contains("\"code\":\"model_not_found\"", "'nope'");

        HttpResponse<String> tooLarge = post(g, "/v1/chat/completions", CHAT.replace("hi", "x".repeat(4000)));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("\"code\":\"request_too_large\"");

        HttpResponse<String> unknownPath = get(g, "/v2/nothing");
        assertThat(unknownPath.statusCode()).isEqualTo(404);
        assertThat(unknownPath.body()).startsWith("{\"error\":{").contains("/v2/nothing");

        HttpResponse<String> wrongMethod = get(g, "/v1/chat/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.body()).startsWith("{\"error\":{").contains("method_not_allowed");

        assertThat(a.inferenceRequests.get()).isZero();
    }

    @Test
    void errors_modelKnownButNoNodeUp_503WithRetryAfter() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(a);
        a.healthy.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> !node(g, "a").up());

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).hasValue("1");
        assertThat(r.body()).contains("\"type\":\"service_unavailable_error\"", "'m'");
        assertThat(get(g, "/v1/models").body()).isEqualTo("{\"object\":\"list\",\"data\":[]}");
    }

    @Test
    void metrics_afterRequests_countersAndGauges() throws Exception {
        StubNode a = stub("a", "m");
        Gateway g = gateway(a);
        servedBy(post(g, "/v1/chat/completions", CHAT));
        servedBy(post(g, "/v1/completions", "{\"model\":\"m\",\"prompt\":\"x\"}"));
        post(g, "/v1/chat/completions", CHAT.replace("\"m\"", "\"random-name\""));

        HttpResponse<String> metrics = get(g, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains(
                "flotilla_requests_total{model=\"m\",node=\"a\",outcome=\"ok\"} 2.0",
                "flotilla_requests_total{model=\"none\",node=\"none\",outcome=\"client_error\"} 1.0",
                "flotilla_request_duration_seconds_count{model=\"m\",node=\"a\"} 2",
                "flotilla_request_duration_seconds_count{model=\"none\",node=\"none\"} 1",
                // the stub's usage is 1 prompt and 2 completion tokens per answer
                "flotilla_prompt_tokens_total{model=\"m\",node=\"a\"} 2.0",
                "flotilla_generation_tokens_total{model=\"m\",node=\"a\"} 4.0",
                "flotilla_node_up{node=\"a\"} 1.0",
                "flotilla_node_outstanding_requests{node=\"a\"} 0.0",
                "flotilla_node_inflight_tokens{node=\"a\"} 0.0");
        assertThat(metrics.body()).doesNotContain("random-name");
    }

    @Test
    void start_portTaken_clearMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            GatewayConfig config = GatewayConfig.defaults().withListen(GatewayConfig.Listen.loopback(taken.getLocalPort()));
            assertThatThrownBy(() -> Gateway.start(config, Clock.systemUTC()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("address already in use");
        }
    }

    @Test
    void start_invalidConfig_listsProblems() {
        GatewayConfig config = GatewayConfig.of(List.of(new GatewayConfig.Node("a", "nope")));
        assertThatThrownBy(() -> Gateway.start(config, Clock.systemUTC()))
                .hasMessageContaining("nodes[0].url: \"nope\"");
    }

    @Test
    void url_isBaseForOpenAiClients() {
        Gateway g = gateway();
        assertThat(g.url()).isEqualTo(URI.create("http://127.0.0.1:" + g.port()));
    }
}
