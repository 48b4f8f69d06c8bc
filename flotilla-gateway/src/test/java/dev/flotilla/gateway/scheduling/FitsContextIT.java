package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The context length from a real node to the gateway's scheduling: two node servers over simulated
 * engines, one with a 512-token context and one with 4,096; each states its context as
 * {@code max_model_len} in {@code /v1/models}, the health checker puts it in the node's snapshot,
 * and the default profile ({@code flotilla}, with {@code fits-context}) sends prompts the small node
 * would refuse to the large one, and a prompt no node holds to the large one, whose 400 reaches the
 * client (not a 503 "no node up").
 */
class FitsContextIT {
    private static final String MODEL = "ctx-model";
    private static final AcceleratorProfile SMALL = profile("small-ctx", 512);
    private static final AcceleratorProfile LARGE = profile("large-ctx", 4096);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SimulatedEngine smallEngine;
    private SimulatedEngine largeEngine;
    private NodeServer small;
    private NodeServer large;
    private Gateway gateway;

    /** Instant iterations: the test is about where requests go, not how long they take. */
    private static AcceleratorProfile profile(String name, int context) {
        return new AcceleratorProfile(name, 16, 300, 65, 0, 0, 0, 0, 8, 20_000, context);
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close();
        }
        Stream.of(small, large).filter(n -> n != null).forEach(NodeServer::close);
        Stream.of(smallEngine, largeEngine).filter(e -> e != null).forEach(SimulatedEngine::close);
        http.shutdownNow();
    }

    private HttpResponse<String> send(String method, URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        b = body == null ? b.GET() : b.header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A prompt of {@code words} three-letter words: as many tokens for the engine, 4 characters each for the gateway. */
    private static String completion(int words) {
        return "{\"model\":\"" + MODEL + "\",\"max_tokens\":4,\"prompt\":\"" + "abc ".repeat(words) + "\"}";
    }

    @Test
    void defaultProfile_nodesStateContext_longPromptsGoToTheLargeNodeAndTooLongGets400() throws Exception {
        smallEngine = SimulatedEngine.realTime(MODEL, SMALL);
        largeEngine = SimulatedEngine.realTime(MODEL, LARGE);
        small = NodeServer.start(NodeServerConfig.loopback("small", 0), smallEngine, Clock.systemUTC());
        large = NodeServer.start(NodeServerConfig.loopback("large", 0), largeEngine, Clock.systemUTC());

        JsonObject card = new JsonObject(send("GET", URI.create(small.url()).resolve("/v1/models"), null).body())
                .getJsonArray("data").getJsonObject(0);
        assertThat(card.getInteger("max_model_len")).isEqualTo(512);
        HttpResponse<String> direct = send("POST", URI.create(small.url()).resolve("/v1/completions"), completion(1000));
        assertThat(direct.statusCode()).as("the small node itself refuses 1,000 tokens: " + direct.body())
                .isEqualTo(400);

        GatewayConfig config = GatewayConfig.of(List.of(new GatewayConfig.Node("small", small.url()),
                        new GatewayConfig.Node("large", large.url())))
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofMillis(500)));
        assertThat(config.routing().policy()).as("the default profile").isEqualTo("flotilla");
        gateway = Gateway.start(config, Clock.systemUTC());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(gateway.registry().snapshot("small").contextLength(MODEL)).isEqualTo(512);
            assertThat(gateway.registry().snapshot("large").contextLength(MODEL)).isEqualTo(4096);
            assertThat(gateway.registry().upCount()).isEqualTo(2);
        });

        // the operator sees the contexts the filter uses
        JsonObject fleet = new JsonObject(send("GET", gateway.url().resolve("/admin/fleet"), null).body());
        assertThat(fleet.getJsonArray("nodes").stream().map(JsonObject.class::cast)
                .map(n -> n.getString("name") + "=" + n.getJsonObject("models").getJsonObject(MODEL).getInteger("max_model_len")))
                .containsExactly("small=512", "large=4096");

        // 1,000 tokens: only the large node holds them (the small one would answer 400, never retried)
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = send("POST", gateway.url().resolve("/v1/completions"), completion(1000));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        // 5,000 tokens: no node holds them; the large node counts them and answers 400 itself
        HttpResponse<String> tooLong = send("POST", gateway.url().resolve("/v1/completions"), completion(5000));
        assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
        assertThat(tooLong.body()).contains("4096");
    }
}
