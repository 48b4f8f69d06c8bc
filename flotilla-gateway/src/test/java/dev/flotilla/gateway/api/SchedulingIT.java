package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.ProfileSpec;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequests;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scheduling over real HTTP with stub nodes: {@code POST /admin/explain}, the
 * {@code x-flotilla-node} header, and the load accounting (outstanding requests and tokens in
 * flight per node) returning to zero however a request ends.
 */
class SchedulingIT {
    private static final String CHAT = "{\"model\":\"m\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\""
            + "hello there, how are you today?\"}]}";
    private static final String CHAT_STREAM = "{\"model\":\"m\",\"max_tokens\":40,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hello there, how are you today?\"}]}";
    private static final GatewayConfig.Health HEALTH = new GatewayConfig.Health(Duration.ofMillis(100),
            Duration.ofMillis(500), 1, 1, 1000, Duration.ofSeconds(30), 1.0, 1000);

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        StubNode.await(vertx.close());
        http.shutdownNow();
    }

    private StubNode stub(String name, StubNode.Mode mode, String... models) {
        StubNode n = new StubNode(vertx, name, List.of(models)).start();
        n.mode.set(mode);
        return n;
    }

    private Gateway gateway(GatewayConfig config, StubNode... stubs) {
        List<GatewayConfig.Node> nodes = new ArrayList<>();
        for (StubNode s : stubs) {
            nodes.add(new GatewayConfig.Node(s.name, s.url()));
        }
        Gateway g = Gateway.start(config.withNodes(nodes).withListen(GatewayConfig.Listen.loopback(0)).withHealth(HEALTH),
                Clock.systemUTC());
        toClose.add(g);
        await().atMost(Duration.ofSeconds(10)).until(() -> g.registry().snapshots().stream().allMatch(NodeSnapshot::up));
        return g;
    }

    private HttpResponse<String> post(Gateway g, String path, String body) throws Exception {
        return http.send(request(g, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(Gateway g, String path, String body) {
        return HttpRequest.newBuilder(g.url().resolve(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** The tokens a request counts on its node while it runs, as the gateway computes them. */
    private static long tokens(Endpoint endpoint, String body) {
        return Scheduler.tokensInFlight(new SchedulingRequest(0, InferenceRequests.parse(endpoint,
                body.getBytes(StandardCharsets.UTF_8)), null, Instant.EPOCH));
    }

    // ---------------------------------------------------------------- explain

    @Test
    void explain_nodeServesOtherModel_droppedByServesModelAndOtherPickedWithoutDispatch() throws Exception {
        StubNode a = stub("a", StubNode.Mode.NORMAL, "m");
        StubNode b = stub("b", StubNode.Mode.NORMAL, "other");
        GatewayConfig config = GatewayConfig.defaults().withScheduling(new GatewayConfig.Scheduling("mine", Map.of(),
                Map.of(), List.of(new ProfileSpec("mine", List.of(ProfileSpec.Plugin.of("healthy"),
                        ProfileSpec.Plugin.of("serves-model")), List.of(), ProfileSpec.Plugin.of("least-requests")))));
        Gateway g = gateway(config, a, b);

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(g.url().resolve("/admin/explain"))
                .header("x-session-id", "s-1").POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject e = new JsonObject(r.body());
        assertThat(e.getString("profile")).isEqualTo("mine");
        assertThat(e.getString("picker")).isEqualTo("least-requests");
        assertThat(e.getString("picked")).isEqualTo("a");
        assertThat(e.getString("session")).isEqualTo("s-1");
        assertThat(e.getString("endpoint")).isEqualTo("/v1/chat/completions");
        JsonArray nodes = e.getJsonArray("nodes");
        assertThat(nodes.getJsonObject(0).getBoolean("candidate")).isTrue();
        assertThat(nodes.getJsonObject(0).getDouble("total")).isEqualTo(0.0);
        assertThat(nodes.getJsonObject(1).getString("dropped_by")).isEqualTo("serves-model");
        assertThat(nodes.getJsonObject(1).getJsonArray("filters").getJsonObject(1).getBoolean("accepted")).isFalse();
        assertThat(nodes.getJsonObject(1).getValue("total")).isNull();
        assertThat(a.inferenceRequests.get()).as("explaining sends nothing").isZero();
        assertThat(g.registry().snapshot("a").outstanding()).isZero();
        assertThat(g.registry().snapshot("a").inFlightTokens()).isZero();
    }

    static Stream<Arguments> badExplains() {
        return Stream.of(
                Arguments.of(Named.of("no model", "/admin/explain"), "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                        "model"),
                Arguments.of(Named.of("completions body without prompt", "/admin/explain?endpoint=completions"),
                        "{\"model\":\"m\"}", "prompt"),
                Arguments.of(Named.of("unknown endpoint", "/admin/explain?endpoint=embeddings"), CHAT, "endpoint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badExplains")
    void explain_badRequest_400NamingTheField(String path, String body, String param) throws Exception {
        Gateway g = gateway(GatewayConfig.defaults(), stub("a", StubNode.Mode.NORMAL, "m"));

        HttpResponse<String> r = post(g, path, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("param")).isEqualTo(param);
    }

    // ---------------------------------------------------------------- header

    @Test
    void proxied_streamedAndNot_headerNamesTheServingNode() throws Exception {
        StubNode a = stub("a", StubNode.Mode.NORMAL, "m");
        Gateway g = gateway(GatewayConfig.defaults(), a);

        HttpResponse<String> plain = post(g, "/v1/chat/completions", CHAT);
        HttpResponse<String> streamed = post(g, "/v1/chat/completions", CHAT_STREAM);

        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.headers().firstValue("x-flotilla-node")).contains("a");
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("x-flotilla-node")).contains("a");
    }

    @Test
    void proxied_nodeAnswers500AndNoRetryLeft_headerNamesTheNodeOfTheError() throws Exception {
        Gateway g = gateway(GatewayConfig.defaults(), stub("bad", StubNode.Mode.FAIL, "m"));

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("x-flotilla-node")).contains("bad");
    }

    // ---------------------------------------------------------------- observers

    /** A scorer that observes: keeps what it hears as "event node [outcome prompt completion]". */
    static final class Listening implements dev.flotilla.gateway.scheduling.spi.Scorer,
            dev.flotilla.gateway.scheduling.spi.RequestObserver {
        final List<String> heard = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public String type() {
            return "listening";
        }

        @Override
        public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
            java.util.Arrays.fill(scores, Double.NaN);
        }

        @Override
        public void dispatched(SchedulingRequest request, NodeSnapshot node) {
            heard.add("dispatched " + node.name() + " session=" + request.sessionKey());
        }

        @Override
        public void finished(SchedulingRequest request, String node,
                             dev.flotilla.gateway.scheduling.spi.Completion c) {
            heard.add("finished " + node + " " + c.outcome() + " " + c.promptTokens() + " " + c.completionTokens()
                    + (c.durationNanos() > 0 ? "" : " no-duration"));
        }
    }

    static Stream<Arguments> observed() {
        return Stream.of(
                Arguments.of(Named.of("success", List.of(StubNode.Mode.NORMAL)), 200,
                        List.of("dispatched n0 session=s-9", "finished n0 SUCCESS 1 2")),
                Arguments.of(Named.of("500 then retried elsewhere", List.of(StubNode.Mode.FAIL, StubNode.Mode.NORMAL)), 200,
                        List.of("dispatched n0 session=s-9", "finished n0 ERROR -1 -1", "dispatched n1 session=s-9",
                                "finished n1 SUCCESS 1 2")),
                Arguments.of(Named.of("node's 400 passed through", List.of(StubNode.Mode.BAD_REQUEST)), 400,
                        List.of("dispatched n0 session=s-9", "finished n0 REJECTED -1 -1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("observed")
    void observer_requestThroughGateway_toldOfEveryAttemptOnce(List<StubNode.Mode> modes, int status,
                                                               List<String> expected) throws Exception {
        Listening listening = new Listening();
        dev.flotilla.gateway.scheduling.SchedulingPlugins plugins = dev.flotilla.gateway.scheduling.SchedulingPlugins.builtIn()
                .registerScorer("listening", () -> listening);
        List<GatewayConfig.Node> nodes = new ArrayList<>();
        for (int i = 0; i < modes.size(); i++) {
            StubNode s = stub("n" + i, modes.get(i), "m");
            nodes.add(new GatewayConfig.Node(s.name, s.url()));
        }
        // the first node is always tried first: it is the only one, or the failing one of a fixed order
        GatewayConfig config = GatewayConfig.of(nodes).withListen(GatewayConfig.Listen.loopback(0)).withHealth(HEALTH)
                .withScheduling(new GatewayConfig.Scheduling("obs", Map.of(), Map.of(), List.of(new ProfileSpec("obs",
                        List.of(ProfileSpec.Plugin.of("healthy"), ProfileSpec.Plugin.of("serves-model")),
                        List.of(ProfileSpec.WeightedScorer.of("listening", 1)), ProfileSpec.Plugin.of("first")))));
        plugins.registerPicker("first", () -> new dev.flotilla.gateway.scheduling.spi.Picker() {
            @Override
            public String type() {
                return "first";
            }

            @Override
            public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
                return candidates.isEmpty() ? -1 : 0;
            }
        });
        Gateway g = Gateway.start(config, Clock.systemUTC(), List.of(), plugins);
        toClose.add(g);
        await().atMost(Duration.ofSeconds(10)).until(() -> g.registry().snapshots().stream().allMatch(NodeSnapshot::up));

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(g.url().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("x-session-id", "s-9")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        await().atMost(Duration.ofSeconds(5)).until(() -> listening.heard.size() >= expected.size());
        assertThat(listening.heard).containsExactlyElementsOf(expected);
    }

    // ---------------------------------------------------------------- load accounting

    static Stream<Arguments> endings() {
        return Stream.of(
                Arguments.of(Named.of("success", StubNode.Mode.NORMAL), 200),
                Arguments.of(Named.of("node error (500 passed through)", StubNode.Mode.FAIL), 500),
                Arguments.of(Named.of("client error (400 passed through)", StubNode.Mode.BAD_REQUEST), 400),
                Arguments.of(Named.of("timeout (node never answers)", StubNode.Mode.HANG), 504));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endings")
    void loadAccounting_requestEnds_outstandingAndTokensBackToZero(StubNode.Mode mode, int status) throws Exception {
        StubNode a = stub("a", mode, "m");
        Gateway g = gateway(GatewayConfig.defaults().withModels(Map.of("m", new GatewayConfig.Model(
                new GatewayConfig.Timeouts(null, null, null, Duration.ofMillis(800))))), a);

        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request(g, "/v1/chat/completions", CHAT),
                HttpResponse.BodyHandlers.ofString());
        if (mode == StubNode.Mode.HANG) {
            // while the node holds it, the request counts once with its tokens
            await().atMost(Duration.ofSeconds(5)).until(() -> g.registry().snapshot("a").outstanding() == 1);
            assertThat(g.registry().snapshot("a").inFlightTokens()).isEqualTo(tokens(Endpoint.CHAT, CHAT));
        }
        HttpResponse<String> r = pending.get();

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        await().atMost(Duration.ofSeconds(5)).until(() -> g.registry().snapshot("a").outstanding() == 0);
        assertThat(g.registry().snapshot("a").inFlightTokens()).isZero();
    }

    @Test
    void loadAccounting_nodeFailsAndRetriedElsewhere_bothNodesBackToZero() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.FAIL, "m");
        StubNode good = stub("good", StubNode.Mode.NORMAL, "m");
        // Round-robin, so the failing node is certain to be tried first at least once: the default profile may
        // prefer "good" for all four (it learns from the first answer), which left this test asserting nothing.
        Gateway g = gateway(GatewayConfig.defaults().withRouting(new GatewayConfig.Routing("round-robin")), bad, good);

        for (int i = 0; i < 4; i++) {
            assertThat(post(g, "/v1/chat/completions", i % 2 == 0 ? CHAT : CHAT_STREAM).statusCode()).isEqualTo(200);
        }

        assertThat(bad.inferenceRequests.get()).as("some requests went to the failing node first").isPositive();
        for (String node : List.of("bad", "good")) {
            assertThat(g.registry().snapshot(node).outstanding()).as(node).isZero();
            assertThat(g.registry().snapshot(node).inFlightTokens()).as(node).isZero();
        }
    }

    @Test
    void loadAccounting_clientCancelsMidStream_tokensCountedThenReleased() throws Exception {
        StubNode a = stub("a", StubNode.Mode.NORMAL, "m");
        Promise<Void> held = a.holdStreams();
        Gateway g = gateway(GatewayConfig.defaults(), a);

        byte[] bytes = CHAT_STREAM.getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", g.port())) {
            OutputStream out = client.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = in.readLine();
            } while (line != null && !line.contains("\"content\":\"one\""));
            assertThat(line).as("the first event reached the client").isNotNull();
            assertThat(g.registry().snapshot("a").outstanding()).isEqualTo(1);
            assertThat(g.registry().snapshot("a").inFlightTokens()).isEqualTo(tokens(Endpoint.CHAT, CHAT_STREAM));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> g.registry().snapshot("a").outstanding() == 0);
        assertThat(g.registry().snapshot("a").inFlightTokens()).isZero();
        held.complete();
    }
}
