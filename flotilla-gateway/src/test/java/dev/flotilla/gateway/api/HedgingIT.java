package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.request.RequestContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hedging over real HTTP: two stub nodes whose first stream is slow to its first token (the
 * stream that reaches a node first, whichever node the scheduler picks, gets the first delay; the
 * next one the second delay), a hedge sent to the other node, the first copy with output kept and
 * the other one cancelled. The same for non-streamed requests, whose whole answers are delayed the
 * same way, and hedging set per scheduling profile.
 */
class HedgingIT {
    private static final String CHAT_STREAM =
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    private static final GatewayConfig.Health HEALTH = new GatewayConfig.Health(Duration.ofMillis(100),
            Duration.ofMillis(500), 1, 1, 1000, Duration.ofSeconds(30), 1.0, 1000);
    private static final GatewayConfig.Hedge HEDGE_100MS =
            new GatewayConfig.Hedge(true, Duration.ofMillis(100), null, null);

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** Streams started on either node, in order; the first gets {@code delays[0]}, the second {@code delays[1]}. */
    private final AtomicInteger streams = new AtomicInteger();
    private final AtomicReference<String> firstNode = new AtomicReference<>();
    /** The nodes non-streamed answers started on, in order; the i-th waits {@code delays[i]} ms. */
    private final List<String> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String COMPLETION = "{\"model\":\"m\",\"prompt\":\"hi\"}";
    /** Far longer than any test waits for an answer: a slow copy never answers in time. */
    private static final long NEVER_MS = 30_000;

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        StubNode.await(vertx.close());
        http.shutdownNow();
    }

    private Gateway gateway(GatewayConfig.Dispatch dispatch, StubNode... stubs) {
        return gateway(dispatch, GatewayConfig.Scheduling.defaults(), stubs);
    }

    private Gateway gateway(GatewayConfig.Dispatch dispatch, GatewayConfig.Scheduling scheduling, StubNode... stubs) {
        List<GatewayConfig.Node> nodes = new ArrayList<>();
        for (StubNode s : stubs) {
            nodes.add(new GatewayConfig.Node(s.name, s.url()));
        }
        GatewayConfig config = GatewayConfig.of(nodes).withListen(GatewayConfig.Listen.loopback(0)).withHealth(HEALTH)
                .withDispatch(dispatch).withModels(Map.of()).withScheduling(scheduling);
        Gateway g = Gateway.start(config, Clock.systemUTC());
        toClose.add(g);
        await().atMost(Duration.ofSeconds(10)).until(() -> g.registry().snapshots().stream().allMatch(s -> s.up()));
        return g;
    }

    /** A stub whose streams wait before their first chunk: the first stream on any node {@code delays[0]} ms, and so on. */
    private StubNode stub(String name, long... delays) {
        StubNode n = new StubNode(vertx, name, List.of("m")).start();
        n.firstChunkDelay.set(() -> {
            int i = streams.getAndIncrement();
            if (i == 0) {
                firstNode.set(name);
            }
            return i < delays.length ? delays[i] : 0;
        });
        return n;
    }

    /** A stub whose non-streamed answers wait: the first one on any node {@code delays[0]} ms, and so on. */
    private StubNode slowAnswers(String name, long... delays) {
        StubNode.Answer[] plans = new StubNode.Answer[delays.length];
        for (int i = 0; i < delays.length; i++) {
            plans[i] = StubNode.Answer.after(delays[i]);
        }
        return plannedAnswers(name, plans);
    }

    /** A stub whose non-streamed answers go as planned: the first one on any node as {@code plans[0]}, and so on. */
    private StubNode plannedAnswers(String name, StubNode.Answer... plans) {
        StubNode n = new StubNode(vertx, name, List.of("m")).start();
        n.answerPlan.set(() -> {
            int i;
            synchronized (answers) {
                i = answers.size();
                answers.add(name);
            }
            return i < plans.length ? plans[i] : StubNode.Answer.after(0);
        });
        return n;
    }

    private HttpResponse<String> post(Gateway g, String path, String body) throws Exception {
        // the client gives up long before a slow copy would answer: only a hedge can answer in time
        return http.send(HttpRequest.newBuilder(g.url().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonObject explain(Gateway g, String endpoint, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(g.url().resolve("/admin/explain?endpoint=" + endpoint))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private static GatewayConfig.Dispatch dispatch(GatewayConfig.Hedge hedge) {
        return GatewayConfig.Dispatch.defaults().withHedge(hedge);
    }

    private HttpResponse<String> post(Gateway g) throws Exception {
        return http.send(HttpRequest.newBuilder(g.url().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(CHAT_STREAM)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitNothingOutstanding(Gateway g) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(g.registry().snapshots())
                .allSatisfy(s -> assertThat(s.outstanding()).as(s.name()).isZero()));
    }

    private static StubNode other(String name, StubNode a, StubNode b) {
        return a.name.equals(name) ? b : a;
    }

    @Test
    void stream_hedgingOffByDefault_slowNodeIsWaitedForAndTheOtherGetsNothing() throws Exception {
        StubNode a = stub("a", 500);
        StubNode b = stub("b", 500);
        Gateway g = gateway(GatewayConfig.Dispatch.defaults(), a, b);

        HttpResponse<String> r = post(g);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String slow = firstNode.get();
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(slow);
        assertThat(r.body()).contains("\"id\":\"" + slow + "\"", "[DONE]");
        assertThat(other(slow, a, b).inferenceRequests.get()).isZero();
        assertThat(g.scrapeMetrics()).doesNotContain("flotilla_hedges_total{");
        awaitNothingOutstanding(g);
    }

    @Test
    void stream_firstNodeSlowHedgeFast_clientGetsTheHedgesStreamAndTheFirstIsCancelled() throws Exception {
        StubNode a = stub("a", 2000, 0);
        StubNode b = stub("b", 2000, 0);
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);

        HttpResponse<String> r = post(g);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StubNode slow = a.name.equals(firstNode.get()) ? a : b;
        StubNode fast = other(slow.name, a, b);
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(fast.name);
        assertThat(r.body()).contains("\"id\":\"" + fast.name + "\"", "one", "two", "[DONE]")
                .doesNotContain("\"id\":\"" + slow.name + "\"");
        assertThat(fast.inferenceRequests.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilTrue(slow.closedMidStream);
        assertThat(slow.firstChunkSent.get()).as("the slow node was cancelled before its first token").isFalse();
        awaitNothingOutstanding(g);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_hedges_total{model=\"m\",outcome=\"won\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_requests_total{model=\"m\",node=\"" + fast.name + "\",outcome=\"ok\"}"))
                .isEqualTo(1);
    }

    @Test
    void stream_bothSlowFirstAnswersFirst_hedgeIsCancelled() throws Exception {
        StubNode a = stub("a", 600, 3000);
        StubNode b = stub("b", 600, 3000);
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);

        HttpResponse<String> r = post(g);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StubNode first = a.name.equals(firstNode.get()) ? a : b;
        StubNode hedge = other(first.name, a, b);
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(first.name);
        assertThat(r.body()).contains("\"id\":\"" + first.name + "\"", "[DONE]")
                .doesNotContain("\"id\":\"" + hedge.name + "\"");
        assertThat(hedge.inferenceRequests.get()).as("the hedge was sent").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilTrue(hedge.closedMidStream);
        assertThat(hedge.firstChunkSent.get()).isFalse();
        awaitNothingOutstanding(g);
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_hedges_total{model=\"m\",outcome=\"lost\"}")).isEqualTo(1);
    }

    @Test
    void stream_retryBudgetSpent_noHedgeIsSent() throws Exception {
        StubNode a = stub("a", 500);
        StubNode b = stub("b", 500);
        Gateway g = gateway(dispatch(HEDGE_100MS).withRetry(new GatewayConfig.Retry(3, 0.0, Duration.ofMinutes(1), 0)),
                a, b);

        HttpResponse<String> r = post(g);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String slow = firstNode.get();
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(slow);
        assertThat(other(slow, a, b).inferenceRequests.get()).isZero();
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_retry_budget_exhausted_total")).isEqualTo(1);
        assertThat(m).doesNotContain("flotilla_hedges_total{");
        awaitNothingOutstanding(g);
    }

    @Test
    void nonStreamed_firstNodeSlowHedgeFast_clientGetsTheHedgesAnswerAndTheFirstIsReset() throws Exception {
        StubNode a = slowAnswers("a", NEVER_MS, 0);
        StubNode b = slowAnswers("b", NEVER_MS, 0);
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StubNode slow = a.name.equals(answers.get(0)) ? a : b;
        StubNode fast = other(slow.name, a, b);
        assertThat(answers).containsExactly(slow.name, fast.name);
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(fast.name);
        assertThat(r.body()).contains("\"id\":\"" + fast.name + "\"", "hello from " + fast.name);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(slow.answersCancelled.get()).as("the slow node's request was reset").isEqualTo(1);
            assertThat(slow.answersRunning.get()).isZero();
        });
        awaitNothingOutstanding(g);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_hedges_total{model=\"m\",outcome=\"won\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_requests_total{model=\"m\",node=\"" + fast.name + "\",outcome=\"ok\"}"))
                .isEqualTo(1);
        assertThat(m).doesNotContain("flotilla_requests_total{model=\"m\",node=\"" + slow.name + "\"");
    }

    @Test
    void nonStreamed_answerBeforeTheDelay_notHedged() throws Exception {
        StubNode a = slowAnswers("a", 0);
        StubNode b = slowAnswers("b", 0);
        // a delay far above an immediate answer's time even on a busy machine with a cold JIT
        Gateway g = gateway(dispatch(new GatewayConfig.Hedge(true, Duration.ofSeconds(1), null, null)), a, b);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String first = answers.get(0);
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(first);
        // past the hedge delay, the other node still has had nothing: the answer disarmed the hedge
        await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3))
                .until(() -> other(first, a, b).inferenceRequests.get() == 0);
        assertThat(g.scrapeMetrics()).doesNotContain("flotilla_hedges_total{");
        awaitNothingOutstanding(g);
    }

    @Test
    void nonStreamed_clientLeavesWhileBothCopiesRun_bothAreReset() throws Exception {
        StubNode a = slowAnswers("a", NEVER_MS, NEVER_MS);
        StubNode b = slowAnswers("b", NEVER_MS, NEVER_MS);
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);
        io.vertx.core.http.HttpClient client = vertx.createHttpClient();
        io.vertx.core.http.HttpClientRequest request = StubNode.await(client.request(io.vertx.core.http.HttpMethod.POST,
                g.url().getPort(), "127.0.0.1", "/v1/chat/completions"));
        request.putHeader("content-type", "application/json");
        request.send(CHAT);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.answersRunning.get() == 1 && b.answersRunning.get() == 1);
        request.reset();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(a.answersCancelled.get()).as("a").isEqualTo(1);
            assertThat(b.answersCancelled.get()).as("b").isEqualTo(1);
        });
        awaitNothingOutstanding(g);
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_hedges_total{model=\"m\",outcome=\"cancelled\"}")).isEqualTo(1);
    }

    @Test
    void profiles_oneRouteHedgedOneNot_onlyTheHedgedProfilesRequestGetsAHedge() throws Exception {
        StubNode a = slowAnswers("a", 600, NEVER_MS, 0);
        StubNode b = slowAnswers("b", 600, NEVER_MS, 0);
        List<dev.flotilla.gateway.scheduling.ProfileSpec.Plugin> filters = List.of(
                dev.flotilla.gateway.scheduling.ProfileSpec.Plugin.of("healthy"),
                dev.flotilla.gateway.scheduling.ProfileSpec.Plugin.of("serves-model"));
        var picker = dev.flotilla.gateway.scheduling.ProfileSpec.Plugin.of("round-robin");
        GatewayConfig.Scheduling scheduling = new GatewayConfig.Scheduling(null, Map.of(),
                Map.of("/v1/chat/completions", "hedged", "/v1/completions", "plain"), List.of(
                new dev.flotilla.gateway.scheduling.ProfileSpec("hedged", filters, List.of(), picker, HEDGE_100MS),
                new dev.flotilla.gateway.scheduling.ProfileSpec("plain", filters, List.of(), picker)));
        // dispatch.hedge off: only the profile turns hedging on
        Gateway g = gateway(GatewayConfig.Dispatch.defaults(), scheduling, a, b);
        JsonObject chatHedge = explain(g, "chat", CHAT).getJsonObject("hedge");
        assertThat(chatHedge.getBoolean("enabled")).isTrue();
        assertThat(chatHedge.getString("delay")).isEqualTo("100ms");
        assertThat(explain(g, "completions", COMPLETION).getJsonObject("hedge").getBoolean("enabled")).isFalse();

        HttpResponse<String> plain = post(g, "/v1/completions", COMPLETION);

        assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
        assertThat(answers).as("waited 600ms for its one node, no hedge").hasSize(1);
        assertThat(plain.headers().firstValue(RequestContext.NODE_HEADER)).contains(answers.get(0));
        assertThat(g.scrapeMetrics()).doesNotContain("flotilla_hedges_total{");

        HttpResponse<String> hedged = post(g, "/v1/chat/completions", CHAT);

        assertThat(hedged.statusCode()).as(hedged.body()).isEqualTo(200);
        assertThat(answers).hasSize(3);
        assertThat(answers.get(2)).isNotEqualTo(answers.get(1));
        assertThat(hedged.headers().firstValue(RequestContext.NODE_HEADER)).contains(answers.get(2));
        StubNode slow = a.name.equals(answers.get(1)) ? a : b;
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.answersCancelled.get() == 1);
        awaitNothingOutstanding(g);
        assertThat(MetricsText.value(g.scrapeMetrics(), "flotilla_hedges_total{model=\"m\",outcome=\"won\"}")).isEqualTo(1);
    }

    @ParameterizedTest(name = "hedge's head first: {0}")
    @ValueSource(booleans = {false, true})
    void nonStreamed_firstAttemptFailsWhileTheHedgeRuns_theHedgeTakesTheRequestOver(boolean headFirst) throws Exception {
        // the first copy fails with 500 after 1 s; the hedge, sent after 100 ms, answers 2 s after it arrived
        StubNode.Answer failing = new StubNode.Answer(1000, 500, false);
        StubNode.Answer hedge = new StubNode.Answer(2000, 200, headFirst);
        StubNode a = plannedAnswers("a", failing, hedge);
        StubNode b = plannedAnswers("b", failing, hedge);
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);

        HttpResponse<String> r = post(g, "/v1/chat/completions", CHAT);

        // with two nodes, a retry after the 500 would find no node left and pass the 500 on
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(answers).hasSize(2);
        String hedgeNode = answers.get(1);
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(hedgeNode);
        assertThat(r.body()).contains("hello from " + hedgeNode).doesNotContain("stub failure");
        assertThat(a.inferenceRequests.get() + b.inferenceRequests.get()).as("no third copy").isEqualTo(2);
        awaitNothingOutstanding(g);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_hedges_total{model=\"m\",outcome=\"won\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_hedges_total{model=\"m\",outcome=\"cancelled\"}")).isZero();
        assertThat(MetricsText.value(m, "flotilla_retries_total{model=\"m\",reason=\"server_error\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_requests_total{model=\"m\",node=\"" + hedgeNode + "\",outcome=\"ok\"}"))
                .isEqualTo(1);
    }

    @Test
    void stream_firstAttemptFailsWhileTheHedgeWaitsForItsFirstToken_theHedgeTakesTheRequestOver() throws Exception {
        // the first stream on any node fails with 500 after 1 s; the hedge's stream has its head at
        // once and its first token after 2 s
        AtomicInteger seen = new AtomicInteger();
        java.util.function.LongSupplier firstFails = () -> seen.getAndIncrement() == 0 ? 1000 : -1;
        StubNode a = new StubNode(vertx, "a", List.of("m")).start();
        StubNode b = new StubNode(vertx, "b", List.of("m")).start();
        for (StubNode n : List.of(a, b)) {
            n.streamFailAfter.set(firstFails);
            n.firstChunkDelay.set(() -> 2000);
        }
        Gateway g = gateway(dispatch(HEDGE_100MS), a, b);

        HttpResponse<String> r = post(g);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        StubNode hedge = a.firstChunkSent.get() ? a : b;
        assertThat(hedge.firstChunkSent.get()).as("one node streamed").isTrue();
        assertThat(other(hedge.name, a, b).firstChunkSent.get()).isFalse();
        assertThat(r.headers().firstValue(RequestContext.NODE_HEADER)).contains(hedge.name);
        assertThat(r.body()).contains("\"id\":\"" + hedge.name + "\"", "one", "two", "[DONE]")
                .doesNotContain("stub failure");
        awaitNothingOutstanding(g);
        String m = g.scrapeMetrics();
        assertThat(MetricsText.value(m, "flotilla_hedges_total{model=\"m\",outcome=\"won\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_retries_total{model=\"m\",reason=\"server_error\"}")).isEqualTo(1);
        assertThat(MetricsText.value(m, "flotilla_requests_total{model=\"m\",node=\"" + hedge.name + "\",outcome=\"ok\"}"))
                .isEqualTo(1);
    }
}
