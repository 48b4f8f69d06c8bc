package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code flotilla node --fault MODE}: a {@link FaultFront} over a real {@link NodeServer} with a
 * simulated engine, on loopback. Health, models and metrics pass through; inference requests get
 * the fault, byte for byte where the fault is at the HTTP level.
 */
class FaultFrontIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final String MODEL = "m";

    private static SimulatedEngine engine;
    private static NodeServer node;

    @BeforeAll
    static void startNode() {
        engine = SimulatedEngine.realTime(MODEL, AcceleratorProfile.ZERO);
        node = NodeServer.start(new NodeServerConfig("faulty", "127.0.0.1", 0, 1), engine, Clock.systemUTC());
    }

    @AfterAll
    static void stopNode() {
        node.close();
        engine.close();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(FaultFront.Mode.class)
    void healthModelsAndMetrics_anyFault_passedToTheNode(FaultFront.Mode mode) throws Exception {
        try (FaultFront front = front(mode)) {
            String url = "http://127.0.0.1:" + front.port();
            HttpResponse<String> health = get(url + "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("ok");
            HttpResponse<String> models = get(url + "/v1/models");
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(models.body()).path("data").path(0).path("id").asText()).isEqualTo(MODEL);
            HttpResponse<String> metrics = get(url + "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("vllm:num_requests_running");
            // one request per connection: a second round still works
            assertThat(get(url + "/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void inference_http500_everyRequestGets500WithAnErrorBody() throws Exception {
        try (FaultFront front = front(FaultFront.Mode.HTTP_500)) {
            for (String path : new String[] {"/v1/completions", "/v1/chat/completions"}) {
                for (boolean stream : new boolean[] {false, true}) {
                    HttpResponse<String> r = post(front, path, stream);
                    assertThat(r.statusCode()).as("%s stream=%s", path, stream).isEqualTo(500);
                    assertThat(JSON.readTree(r.body()).path("error").path("code").asText()).isEqualTo("fault_injected");
                }
            }
        }
    }

    @Test
    void inference_malformedSse_streamsAreNotJsonWithoutDone_nonStreamedServed() throws Exception {
        try (FaultFront front = front(FaultFront.Mode.MALFORMED_SSE)) {
            HttpResponse<String> stream = post(front, "/v1/completions", true);
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.headers().firstValue("content-type")).hasValue("text/event-stream");
            assertThat(stream.body()).contains("data: <this is not json>").doesNotContain("[DONE]")
                    .doesNotContain("\"text\"");
            HttpResponse<String> plain = post(front, "/v1/completions", false);
            assertThat(plain.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(plain.body()).path("choices").path(0).path("text").asText()).isNotEmpty();
        }
    }

    @Test
    void inference_closeMidHeader_halfAHeaderThenTheConnectionCloses() throws Exception {
        try (FaultFront front = front(FaultFront.Mode.CLOSE_MID_HEADER);
             Socket socket = new Socket("127.0.0.1", front.port())) {
            socket.setSoTimeout(10_000);
            String body = "{\"model\":\"m\",\"prompt\":\"hi\",\"max_tokens\":4,\"stream\":true}";
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1); // until the front closes
            assertThat(answer).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/ev");
        }
    }

    @Test
    void parse_unknownMode_errorNamesTheValueAndTheChoices() {
        assertThat(FaultFront.Mode.parse("HTTP-500")).isEqualTo(FaultFront.Mode.HTTP_500);
        assertThatThrownBy(() -> FaultFront.Mode.parse("slow"))
                .hasMessage("--fault: 'slow' (expected one of http-500, malformed-sse, close-mid-header)");
    }

    private static FaultFront front(FaultFront.Mode mode) {
        return FaultFront.start(mode, "127.0.0.1", 0, "127.0.0.1", node.port());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(FaultFront front, String path, boolean stream) throws Exception {
        String body = path.contains("chat")
                ? "{\"model\":\"m\",\"max_tokens\":4,\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                : "{\"model\":\"m\",\"max_tokens\":4,\"stream\":" + stream + ",\"prompt\":\"hi\"}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + path))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
