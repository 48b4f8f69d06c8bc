package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.protocol.PrometheusText;
import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.MetricType;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streams through a real gateway to stub nodes, then reads the gateway's {@code /metrics}: time to
 * first token, inter-token latency and tokens appear per model and node with the counts the
 * streams imply.
 */
class StreamMetricsIT {
    private static final String STREAM =
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    private static final String STREAM_WITH_USAGE = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    /** "one" in the first chunk, then these: four events with output per stream. */
    private static final List<String> REST = List.of(" two", " \"three\"", "\\four");
    private static final int OUTPUT_EVENTS = 1 + REST.size();

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Gateway gateway;

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        StubNode.await(vertx.close());
        http.shutdownNow();
    }

    private StubNode stub(String name) {
        StubNode node = new StubNode(vertx, name, List.of("m")).start();
        node.streamRest.set(REST);
        return node;
    }

    private Gateway gateway(StubNode... nodes) {
        GatewayConfig config = GatewayConfig.of(Stream.of(nodes).map(n -> new GatewayConfig.Node(n.name, n.url())).toList())
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(Duration.ofMillis(200), Duration.ofMillis(500)));
        // least-requests' tie rotation spreads sequential streams (the default profile would keep a
        // repeated prompt on the node that has seen it)
        gateway = Gateway.start(config.withRouting(new GatewayConfig.Routing("least-requests")), Clock.systemUTC());
        return gateway;
    }

    private HttpResponse<String> post(String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/v1/chat/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    private static String servedBy(String body) {
        int i = body.indexOf("\"id\":\"") + 6;
        return body.substring(i, body.indexOf('"', i));
    }

    private Exposition metrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(gateway.url().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return PrometheusText.parseStrict(r.body());
    }

    private static double value(Exposition e, String name, String node) {
        return PrometheusText.value(e.samples(), name, Map.of("model", "m", "node", node));
    }

    @Test
    void streams_withAndWithoutUsage_ttftItlAndTokensPerModelAndNode() throws Exception {
        gateway(stub("a"), stub("b"));
        Map<String, Integer> streams = new HashMap<>();
        Map<String, Integer> withUsage = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            boolean usage = i % 2 == 1;
            String body = post(usage ? STREAM_WITH_USAGE : STREAM).body();
            assertThat(body).contains("\\\"three\\\"", "data: [DONE]");
            String node = servedBy(body);
            streams.merge(node, 1, Integer::sum);
            if (usage) {
                withUsage.merge(node, 1, Integer::sum);
            }
        }
        // a non-streamed answer: usage 1 + 2 from the stub, never timed
        String plainNode = servedBy(post(CHAT).body());

        Exposition e = metrics();
        assertThat(streams.keySet()).as("least-requests spreads sequential streams").containsExactlyInAnyOrder("a", "b");
        assertThat(e.typeOf("flotilla_time_to_first_token_seconds_bucket")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(e.typeOf("flotilla_inter_token_latency_seconds_bucket")).isEqualTo(MetricType.HISTOGRAM);
        for (String node : List.of("a", "b")) {
            int n = streams.getOrDefault(node, 0);
            int u = withUsage.getOrDefault(node, 0);
            int plain = node.equals(plainNode) ? 1 : 0;
            assertThat(value(e, "flotilla_time_to_first_token_seconds_count", node)).as(node).isEqualTo(n);
            assertThat(value(e, "flotilla_inter_token_latency_seconds_count", node)).as(node)
                    .isEqualTo(n * (OUTPUT_EVENTS - 1));
            assertThat(PrometheusText.value(e.samples(), "flotilla_time_to_first_token_seconds_bucket",
                    Map.of("model", "m", "node", node, "le", "+Inf"))).as(node).isEqualTo(n);
            assertThat(value(e, "flotilla_request_duration_seconds_count", node)).as(node).isEqualTo(n + plain);
            // usage when the stream had it, else one token per event with output
            assertThat(value(e, "flotilla_prompt_tokens_total", node)).as(node)
                    .isEqualTo(u * StubNode.STREAM_USAGE.promptTokens() + plain);
            assertThat(value(e, "flotilla_generation_tokens_total", node)).as(node)
                    .isEqualTo((n - u) * OUTPUT_EVENTS + u * StubNode.STREAM_USAGE.completionTokens() + 2 * plain);
            // each stream's first token comes before its end
            assertThat(value(e, "flotilla_time_to_first_token_seconds_sum", node)).as(node)
                    .isPositive().isLessThan(value(e, "flotilla_request_duration_seconds_sum", node));
        }
    }

    @Test
    void stream_heldAfterFirstToken_gapShowsAsInterTokenLatency() throws Exception {
        StubNode a = stub("a");
        gateway(a);
        Promise<Void> release = a.holdStreams();
        HttpResponse<Stream<String>> response = http.send(HttpRequest.newBuilder(gateway.url().resolve("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(STREAM)).build(), HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = response.body().iterator();
        assertThat(lines.next()).contains("\"content\":\"one\"");
        // the gateway read the first event before this instant
        long firstSeen = System.nanoTime();
        Exposition during = metrics();
        assertThat(value(during, "flotilla_time_to_first_token_seconds_count", "a")).isEqualTo(1);
        assertThat(value(during, "flotilla_inter_token_latency_seconds_count", "a")).isZero();
        assertThat(PrometheusText.value(during.samples(), "flotilla_node_outstanding_requests", Map.of("node", "a")))
                .isEqualTo(1);
        // and reads the second one after this instant
        long released = System.nanoTime();
        release.complete();
        lines.forEachRemaining(l -> { });

        await().atMost(Duration.ofSeconds(5)).until(() -> value(metrics(), "flotilla_request_duration_seconds_count", "a") == 1);
        Exposition after = metrics();
        assertThat(value(after, "flotilla_inter_token_latency_seconds_count", "a")).isEqualTo(OUTPUT_EVENTS - 1);
        double gaps = value(after, "flotilla_inter_token_latency_seconds_sum", "a");
        assertThat(gaps).isGreaterThanOrEqualTo((released - firstSeen) / 1e9);
        assertThat(gaps + value(after, "flotilla_time_to_first_token_seconds_sum", "a"))
                .isLessThanOrEqualTo(value(after, "flotilla_request_duration_seconds_sum", "a"));
    }
}
