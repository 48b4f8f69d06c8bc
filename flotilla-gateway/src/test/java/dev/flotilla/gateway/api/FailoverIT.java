package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.request.RequestContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failover over real HTTP: stub nodes that answer 500, 400, malformed SSE, close mid-header or
 * never answer; requests succeed elsewhere, circuits open, 4xx is not retried, and the retry
 * budget caps the extra load when every node fails.
 */
class FailoverIT {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM =
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    /** Health that never takes a node out on request failures, so the circuit breaker is what acts. */
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

    private Gateway gateway(GatewayConfig.Dispatch dispatch, Map<String, GatewayConfig.Model> models, String... urls) {
        List<GatewayConfig.Node> nodes = new ArrayList<>();
        for (int i = 0; i < urls.length; i += 2) {
            nodes.add(new GatewayConfig.Node(urls[i], urls[i + 1]));
        }
        GatewayConfig config = GatewayConfig.of(nodes).withListen(GatewayConfig.Listen.loopback(0)).withHealth(HEALTH)
                .withDispatch(dispatch).withModels(models)
                // these tests place requests on nodes by least-requests' tie rotation (the default
                // profile, flotilla, prefers the node that has seen a prompt: its own tests are elsewhere)
                .withRouting(new GatewayConfig.Routing("least-requests"));
        Gateway g = Gateway.start(config, Clock.systemUTC());
        toClose.add(g);
        await().atMost(Duration.ofSeconds(10)).until(() -> g.registry().snapshots().stream().allMatch(s -> s.up()));
        return g;
    }

    /**
     * Circuits that never open and a budget of one retry per request, so the retry logic alone is
     * under test (the least-requests policy sends every sequential request to the same first node).
     */
    private static GatewayConfig.Dispatch noCircuit() {
        return GatewayConfig.Dispatch.defaults().withCircuit(new GatewayConfig.Circuit(100, 1000, 1000,
                Duration.ofMinutes(1), 1)).withRetry(new GatewayConfig.Retry(3, 1.0, Duration.ofMinutes(1), 0));
    }

    private StubNode stub(String name, StubNode.Mode mode) {
        StubNode n = new StubNode(vertx, name, List.of("m")).start();
        n.mode.set(mode);
        return n;
    }

    private HttpResponse<String> post(Gateway g, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(g.url().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String circuit(Gateway g, String node) throws Exception {
        String body = http.send(HttpRequest.newBuilder(g.url().resolve("/admin/fleet")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonArray nodes = new JsonObject(body).getJsonArray("nodes");
        for (int i = 0; i < nodes.size(); i++) {
            if (node.equals(nodes.getJsonObject(i).getString("name"))) {
                return nodes.getJsonObject(i).getString("circuit");
            }
        }
        throw new AssertionError("no node " + node + " in " + body);
    }

    @Test
    void request_nodeAnswers500_retriedOnTheOtherNodeAndSucceeds() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.FAIL);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), bad.name, bad.url(), good.name, good.url());

        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = post(g, i % 2 == 0 ? CHAT : CHAT_STREAM);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":\"good\"").doesNotContain("stub failure");
        }
        assertThat(bad.inferenceRequests.get()).as("least-requests sends some requests to the failing node").isPositive();
        assertThat(good.inferenceRequests.get()).isEqualTo(6);
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_retries_total{model=\"m\",reason=\"server_error\"}"))
                .isEqualTo(bad.inferenceRequests.get());
    }

    @Test
    void request_nodeClosesMidHeader_retriedElsewhere() throws Exception {
        HalfHeaderNode half = new HalfHeaderNode(vertx, "half").start();
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), half.name, half.url(), good.name, good.url());

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = post(g, CHAT_STREAM);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":\"good\"", "[DONE]");
        }
        assertThat(half.inferenceRequests.get()).isPositive();
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_retries_total{model=\"m\",reason=\"unreachable\"}")).isPositive();
    }

    @Test
    void stream_malformedSse_retriedElsewhereWithNothingOfItSent() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.MALFORMED_SSE);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), bad.name, bad.url(), good.name, good.url());

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = post(g, CHAT_STREAM);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":\"good\"").doesNotContain("cont\n", "???");
        }
        assertThat(bad.inferenceRequests.get()).isPositive();
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_retries_total{model=\"m\",reason=\"bad_answer\"}"))
                .isEqualTo(bad.inferenceRequests.get());
    }

    @Test
    void request_nonStreamed200NotJson_retriedElsewhereAndCountedAgainstTheNodesCircuit() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.NOT_JSON);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        // opens after 2 failures among the last 4 calls: only failures the circuit heard of can open it
        GatewayConfig.Dispatch dispatch = noCircuit().withCircuit(new GatewayConfig.Circuit(50, 2, 4,
                Duration.ofMinutes(5), 1));
        Gateway g = gateway(dispatch, Map.of(), bad.name, bad.url(), good.name, good.url());

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            HttpResponse<String> r = post(g, CHAT);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains("good");
            assertThat(r.body()).contains("\"id\":\"good\"").doesNotContain("not json");
            return "open".equals(circuit(g, "bad"));
        });
        assertThat(bad.inferenceRequests.get()).isGreaterThanOrEqualTo(2);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_retries_total{model=\"m\",reason=\"bad_answer\"}"))
                .isEqualTo(bad.inferenceRequests.get());
        assertThat(MetricsText.value(m, "flotilla_node_circuit_transitions_total{node=\"bad\",to=\"open\"}")).isEqualTo(1);
        assertThat(circuit(g, "good")).isEqualTo("closed");
    }

    @Test
    void request_nonStreamed200NotJsonAndNoOtherNode_clientGets502NamingTheNode() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.NOT_JSON);
        Gateway g = gateway(noCircuit(), Map.of(), bad.name, bad.url());

        HttpResponse<String> r = post(g, CHAT);

        assertThat(r.statusCode()).isEqualTo(502);
        JsonObject error = new JsonObject(r.body()).getJsonObject("error");
        assertThat(error.getString("message")).contains("node 'bad'", "not valid JSON");
        assertThat(error.getString("code")).isEqualTo("node_bad_answer");
        assertThat(g.registry().snapshot("bad").outstanding()).isZero();
    }

    @Test
    void stream_noFirstTokenWithinModelTimeout_retriedElsewhere() throws Exception {
        StubNode silent = stub("silent", StubNode.Mode.HANG);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Map<String, GatewayConfig.Model> models = Map.of("m", new GatewayConfig.Model(
                new GatewayConfig.Timeouts(null, Duration.ofMillis(300), null, null)));
        Gateway g = gateway(noCircuit(), models, silent.name, silent.url(), good.name, good.url());

        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = post(g, CHAT_STREAM);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":\"good\"");
        }
        assertThat(silent.inferenceRequests.get()).isPositive();
        // the silent node saw its request's connection close: the reset lets it free the slot
        await().atMost(Duration.ofSeconds(5)).untilTrue(silent.closedMidStream);
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_retries_total{model=\"m\",reason=\"timeout\"}"))
                .isEqualTo(silent.inferenceRequests.get());
    }

    @Test
    void request_node400_neverRetried() throws Exception {
        StubNode refusing = stub("refusing", StubNode.Mode.BAD_REQUEST);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), refusing.name, refusing.url(), good.name, good.url());

        int refused = 0;
        for (int i = 0; i < 6; i++) {
            HttpResponse<String> r = post(g, CHAT);
            if (r.statusCode() == 400) {
                assertThat(r.body()).contains("stub refuses");
                refused++;
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
            }
        }
        assertThat(refused).isEqualTo(refusing.inferenceRequests.get()).isPositive();
        assertThat(refusing.inferenceRequests.get() + good.inferenceRequests.get()).as("one upstream request each").isEqualTo(6);
        assertThat(g.scrapeMetrics()).doesNotContain("flotilla_retries_total{");
    }

    @Test
    void request_failingNode_circuitOpensAndTheNodeGetsNoMoreRequests() throws Exception {
        StubNode bad = stub("bad", StubNode.Mode.FAIL);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        GatewayConfig.Dispatch dispatch = GatewayConfig.Dispatch.defaults()
                .withCircuit(new GatewayConfig.Circuit(50, 2, 4, Duration.ofMinutes(5), 1));
        Gateway g = gateway(dispatch, Map.of(), bad.name, bad.url(), good.name, good.url());

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            assertThat(post(g, CHAT).statusCode()).isEqualTo(200);
            return "open".equals(circuit(g, "bad"));
        });
        int before = bad.inferenceRequests.get();
        for (int i = 0; i < 5; i++) {
            assertThat(post(g, CHAT).statusCode()).isEqualTo(200);
        }
        assertThat(bad.inferenceRequests.get()).as("an open circuit takes the node out").isEqualTo(before);
        assertThat(circuit(g, "good")).isEqualTo("closed");
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_node_circuit_transitions_total{node=\"bad\",to=\"open\"}")).isEqualTo(1);
    }

    @Test
    void request_circuitHalfOpen_aRecoveredNodeIsLetBackByRealRequests() throws Exception {
        StubNode flaky = stub("flaky", StubNode.Mode.FAIL);
        GatewayConfig.Dispatch dispatch = GatewayConfig.Dispatch.defaults()
                .withCircuit(new GatewayConfig.Circuit(50, 2, 4, Duration.ofMillis(300), 1));
        Gateway g = gateway(dispatch, Map.of(), flaky.name, flaky.url());

        await().atMost(Duration.ofSeconds(10)).until(() -> {
            post(g, CHAT);
            return "open".equals(circuit(g, "flaky"));
        });
        HttpResponse<String> whileOpen = post(g, CHAT);
        assertThat(whileOpen.statusCode()).isEqualTo(503);
        assertThat(whileOpen.body()).contains("circuit open");
        flaky.mode.set(StubNode.Mode.NORMAL);
        await().atMost(Duration.ofSeconds(10)).until(() -> post(g, CHAT).statusCode() == 200);
        assertThat(circuit(g, "flaky")).isEqualTo("closed");
    }

    @Test
    void request_everyNodeFails_budgetCapsRetriesAndClientsGetTheErrorQuickly() throws Exception {
        List<String> urls = new ArrayList<>();
        List<StubNode> nodes = new ArrayList<>();
        for (String name : List.of("a", "b", "c", "d")) {
            StubNode n = stub(name, StubNode.Mode.FAIL);
            nodes.add(n);
            urls.add(name);
            urls.add(n.url());
        }
        GatewayConfig.Dispatch dispatch = noCircuit().withRetry(new GatewayConfig.Retry(4, 0.2,
                Duration.ofMinutes(1), 0));
        Gateway g = gateway(dispatch, Map.of(), urls.toArray(String[]::new));

        int requests = 20;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> r = post(g, CHAT);
            assertThat(r.statusCode()).as(r.body()).isIn(500, 502);
        }
        int upstream = nodes.stream().mapToInt(n -> n.inferenceRequests.get()).sum();
        // without a budget: 4 attempts each, 80; with 20% of 20 requests: at most 4 retries
        assertThat(upstream).isLessThanOrEqualTo(requests + 4).isGreaterThan(requests);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_retries_total{model=\"m\",reason=\"server_error\"}")).isEqualTo(upstream - requests);
        assertThat(MetricsText.value(m, "flotilla_retry_budget_exhausted_total")).isPositive();
    }

    @Test
    void request_nonStreamedToSilentNode_idleTimeoutOfTheModelRetriedElsewhere() throws Exception {
        StubNode silent = stub("silent", StubNode.Mode.HANG);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Map<String, GatewayConfig.Model> models = Map.of("m", new GatewayConfig.Model(
                new GatewayConfig.Timeouts(null, null, Duration.ofMillis(300), null)));
        Gateway g = gateway(noCircuit(), models, silent.name, silent.url(), good.name, good.url());

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post(g, CHAT);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).contains("\"id\":\"good\"");
        }
        assertThat(silent.inferenceRequests.get()).isPositive();
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_retries_total{model=\"m\",reason=\"timeout\"}"))
                .isEqualTo(silent.inferenceRequests.get());
    }

    @Test
    void request_totalTimeoutOfTheModel_504AndNotRetried() throws Exception {
        StubNode a = stub("a", StubNode.Mode.HANG);
        StubNode b = stub("b", StubNode.Mode.HANG);
        Map<String, GatewayConfig.Model> models = Map.of("m", new GatewayConfig.Model(
                new GatewayConfig.Timeouts(null, null, null, Duration.ofMillis(400))));
        Gateway g = gateway(noCircuit(), models, a.name, a.url(), b.name, b.url());

        HttpResponse<String> r = post(g, CHAT_STREAM);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
        assertThat(r.body()).contains("total timeout of 400 ms");
        assertThat(a.inferenceRequests.get() + b.inferenceRequests.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.closedMidStream.get() || b.closedMidStream.get());
        assertThat(g.scrapeMetrics()).doesNotContain("flotilla_retries_total{");
    }

    /** The data of each SSE event of a response body. */
    private static List<String> events(String body) {
        List<String> data = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.startsWith("data: ")) {
                data.add(event.substring(6));
            }
        }
        return data;
    }

    private static String text(List<String> events, String field) {
        StringBuilder text = new StringBuilder();
        for (String e : events) {
            if (!e.equals("[DONE]")) {
                JsonArray choices = new JsonObject(e).getJsonArray("choices");
                if (choices != null && !choices.isEmpty()) {
                    JsonObject c = choices.getJsonObject(0);
                    String piece = field.equals("text") ? c.getString("text") : c.getJsonObject("delta", new JsonObject()).getString("content");
                    text.append(piece == null ? "" : piece);
                }
            }
        }
        return text.toString();
    }

    @Test
    void stream_completionNodeDiesAfterFirstToken_continuedOnAnotherNodeAsOneStream() throws Exception {
        StubNode dying = stub("dying", StubNode.Mode.DIE_AFTER_FIRST);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), dying.name, dying.url(), good.name, good.url());

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(g.url().resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"Once\",\"max_tokens\":50,"
                        + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = events(r.body());
        assertThat(text(events, "text")).as("the dying node's 'one', then the other's answer").isEqualTo("oneonetwo");
        assertThat(events.getLast()).isEqualTo("[DONE]");
        assertThat(events.stream().filter(e -> e.equals("[DONE]"))).hasSize(1);
        for (String e : events.subList(0, events.size() - 1)) {
            assertThat(new JsonObject(e).getString("id")).as(e).isEqualTo("dying");
        }
        JsonObject continuation = new JsonObject(good.lastBody.get());
        assertThat(continuation.getString("prompt")).isEqualTo("Onceone");
        assertThat(continuation.getInteger("max_tokens")).isEqualTo(49);
        JsonObject usage = new JsonObject(events.get(events.size() - 2)).getJsonObject("usage");
        // the continuing node reports 4 prompt (with the 1 token of partial answer) and 9 generated
        assertThat(usage.getInteger("completion_tokens")).isEqualTo(10);
        assertThat(usage.getInteger("prompt_tokens")).isEqualTo(3);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_stream_continuations_total{model=\"m\"}")).isEqualTo(1);
        // the bytes kept to continue the stream are given back once the request has ended
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_stream_kept_bytes")).isZero());
    }

    @Test
    void stream_bytesKeptForContinuation_countedWhileItRuns_givenBackWhenItEnds() throws Exception {
        StubNode a = stub("a", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), a.name, a.url());
        assertThat(g.scrapeMetrics()).contains("\nflotilla_stream_kept_bytes 0.0");
        io.vertx.core.Promise<Void> release = a.holdStreams();

        var response = http.sendAsync(HttpRequest.newBuilder(g.url().resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"prompt\":\"Once\",\"max_tokens\":50,"
                        + "\"stream\":true}")).build(), HttpResponse.BodyHandlers.ofString());
        // the first chunk has reached the client and is kept; the rest waits at the node
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_stream_kept_bytes")).isPositive());
        release.complete();

        assertThat(response.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_stream_kept_bytes")).isZero());
    }

    @Test
    void stream_chatNodeDiesAfterFirstToken_continuationEndsWithAssistantMessageToContinue() throws Exception {
        StubNode dying = stub("dying", StubNode.Mode.DIE_AFTER_FIRST);
        StubNode good = stub("good", StubNode.Mode.NORMAL);
        Gateway g = gateway(noCircuit(), Map.of(), dying.name, dying.url(), good.name, good.url());

        HttpResponse<String> r = post(g, CHAT_STREAM);

        assertThat(r.statusCode()).isEqualTo(200);
        List<String> events = events(r.body());
        assertThat(text(events, "content")).isEqualTo("oneonetwo");
        assertThat(events.stream().filter(e -> e.contains("\"role\""))).as("one role chunk").hasSize(1);
        JsonObject continuation = new JsonObject(good.lastBody.get());
        JsonArray messages = continuation.getJsonArray("messages");
        assertThat(messages.getJsonObject(messages.size() - 1).getMap())
                .containsEntry("role", "assistant").containsEntry("content", "one");
        assertThat(continuation.getBoolean("continue_final_message")).isTrue();
        assertThat(continuation.getBoolean("add_generation_prompt")).isFalse();
    }
}
