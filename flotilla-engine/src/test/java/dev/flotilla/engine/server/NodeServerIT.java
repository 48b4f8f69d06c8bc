package dev.flotilla.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.PrometheusText;
import dev.flotilla.protocol.Sse;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node over the simulated engine, driven through real HTTP on a real socket. */
class NodeServerIT {
    private static final String MODEL = "sim-test";
    // slow enough that a long generation is still running when the test looks at it
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow", 16, 300, 65,
            20, 0, 5, 0, 8, 100_000, 4096);

    private static SimulatedEngine engine;
    private static NodeServer node;
    private static Vertx vertx;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        engine = SimulatedEngine.realTime(MODEL, SLOW);
        node = NodeServer.start(NodeServerConfig.loopback("it-node", 0), engine, Clock.systemUTC());
        vertx = Vertx.vertx();
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() {
        client.close().await();
        vertx.close().await();
        node.close();
        engine.close();
    }

    private record Reply(int status, String contentType, String body, String retryAfter) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    private static Reply call(HttpMethod method, String path, String body) throws Exception {
        RequestOptions o = new RequestOptions().setMethod(method).setPort(node.port()).setHost("127.0.0.1")
                .setURI(path).putHeader("content-type", "application/json");
        // the whole chain runs on the event loop: chained from the test thread, a step whose future
        // had already completed would run here and race the event loop for the response body
        Promise<Reply> reply = Promise.promise();
        vertx.runOnContext(v -> client.request(o).compose(r -> body == null ? r.send() : r.send(body))
                .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("content-type"),
                        b.toString(), resp.getHeader("retry-after"))))
                .onComplete(reply));
        return reply.future().await(30, TimeUnit.SECONDS);
    }

    private static String chat(String extra) {
        return "{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":5" + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}";
    }

    @Test
    void chat_streamedAndWhole_giveTheSameTextAndUsage() throws Exception {
        Reply whole = call(HttpMethod.POST, "/v1/chat/completions", chat(""));
        assertThat(whole.status()).isEqualTo(200);
        String text = whole.json().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        assertThat(text).isNotBlank();
        assertThat(whole.json().getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
        assertThat(whole.json().getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");

        Reply streamed = call(HttpMethod.POST, "/v1/chat/completions",
                chat(",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertThat(streamed.contentType()).startsWith("text/event-stream");
        List<String> events = Sse.decoder().feed(streamed.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(events.getLast()).isEqualTo(Sse.DONE);
        StringBuilder joined = new StringBuilder();
        JsonObject usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonObject chunk = new JsonObject(e);
            assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
            if (chunk.getJsonArray("choices").isEmpty()) {
                usage = chunk.getJsonObject("usage");
            } else {
                String c = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content");
                joined.append(c == null ? "" : c);
            }
        }
        assertThat(joined.toString()).isEqualTo(text);
        assertThat(usage).isNotNull();
        assertThat(usage.getInteger("completion_tokens")).isEqualTo(5);
        assertThat(usage.getInteger("prompt_tokens"))
                .isEqualTo(whole.json().getJsonObject("usage").getInteger("prompt_tokens"));
    }

    @Test
    void chat_continueFinalMessage_promptContinuesTheAssistantMessageInsteadOfANewTurn() throws Exception {
        String messages = ",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"},"
                + "{\"role\":\"assistant\",\"content\":\"there was a\"}]}";
        String base = "{\"model\":\"" + MODEL + "\",\"temperature\":0,\"max_tokens\":2";
        Reply continued = call(HttpMethod.POST, "/v1/chat/completions",
                base + ",\"continue_final_message\":true,\"add_generation_prompt\":false" + messages);
        Reply newTurn = call(HttpMethod.POST, "/v1/chat/completions", base + messages);
        assertThat(continued.status()).isEqualTo(200);
        assertThat(newTurn.status()).isEqualTo(200);
        String expected = engine.chatPrompt(List.of(new ChatMessage("user", "Once upon a time"))) + "there was a";
        assertThat(continued.json().getJsonObject("usage").getInteger("prompt_tokens"))
                .isEqualTo(engine.countTokens(expected));
        String opened = engine.chatPrompt(List.of(new ChatMessage("user", "Once upon a time"),
                new ChatMessage("assistant", "there was a")));
        assertThat(newTurn.json().getJsonObject("usage").getInteger("prompt_tokens"))
                .isEqualTo(engine.countTokens(opened))
                .isNotEqualTo(engine.countTokens(expected));
    }

    @Test
    void completions_whole_returnsTextCompletion() throws Exception {
        Reply r = call(HttpMethod.POST, "/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"Once\",\"max_tokens\":3}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().getString("object")).isEqualTo("text_completion");
        assertThat(r.json().getJsonArray("choices").getJsonObject(0).getString("text")).isNotBlank();
    }

    @Test
    void errors_haveOpenAiBodies() throws Exception {
        Reply unknown = call(HttpMethod.POST, "/v1/chat/completions", chat("").replace(MODEL, "nope"));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getJsonObject("error").getString("code")).isEqualTo("model_not_found");

        Reply negative = call(HttpMethod.POST, "/v1/chat/completions", chat("").replace("\"max_tokens\":5", "\"max_tokens\":-1"));
        assertThat(negative.status()).isEqualTo(400);
        assertThat(negative.json().getJsonObject("error").getString("param")).isEqualTo("max_tokens");

        String longPrompt = "word ".repeat(5000);
        Reply tooLong = call(HttpMethod.POST, "/v1/completions",
                "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + longPrompt + "\"}");
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.json().getJsonObject("error").getString("code")).isEqualTo("context_length_exceeded");
        assertThat(tooLong.json().getJsonObject("error").getString("param")).isEqualTo("prompt");
        assertThat(tooLong.json().getJsonObject("error").getString("message")).contains("5000", "4096");

        Reply path = call(HttpMethod.GET, "/v1/nothing", null);
        assertThat(path.status()).isEqualTo(404);
        assertThat(path.json().getJsonObject("error").getString("message")).contains("/v1/nothing");
    }

    @Test
    void clientDisconnect_midStream_freesTheSlot() throws Exception {
        CopyOnWriteArrayList<String> received = new CopyOnWriteArrayList<>();
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setPort(node.port()).setHost("127.0.0.1")
                .setURI("/v1/chat/completions");
        HttpClient own = vertx.createHttpClient();
        Sse.Decoder decoder = Sse.decoder();
        vertx.runOnContext(v -> own.request(o)
                .compose(r -> r.send(chat(",\"stream\":true").replace("\"max_tokens\":5", "\"max_tokens\":2000")))
                .onSuccess(resp -> resp.handler(b -> received.addAll(decoder.feed(b.getBytes())))));
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 3);
        assertThat(engine.state().running()).isEqualTo(1);
        assertThat(runningMetric()).isEqualTo(1.0);

        own.close().await(); // the client goes away mid-stream

        await().atMost(Duration.ofSeconds(10)).until(() -> engine.state().running() == 0);
        assertThat(runningMetric()).isZero();
        assertThat(received).doesNotContain(Sse.DONE);
    }

    private static double runningMetric() throws Exception {
        return PrometheusText.value(PrometheusText.parse(call(HttpMethod.GET, "/metrics", null).body()),
                "vllm:num_requests_running", Map.of("model_name", MODEL));
    }

    @Test
    void metrics_afterRequests_useVllmNames() throws Exception {
        call(HttpMethod.POST, "/v1/chat/completions", chat(",\"stream\":true"));
        Reply m = call(HttpMethod.GET, "/metrics", null);
        assertThat(m.status()).isEqualTo(200);
        var samples = PrometheusText.parse(m.body());
        Map<String, String> model = Map.of("model_name", MODEL);
        assertThat(PrometheusText.value(samples, "vllm:generation_tokens_total", model)).isGreaterThanOrEqualTo(5);
        assertThat(PrometheusText.value(samples, "vllm:prompt_tokens_total", model)).isGreaterThan(0);
        assertThat(PrometheusText.value(samples, "vllm:time_to_first_token_seconds_count", model)).isGreaterThanOrEqualTo(1);
        assertThat(PrometheusText.value(samples, "vllm:inter_token_latency_seconds_count", model)).isGreaterThanOrEqualTo(4);
        assertThat(PrometheusText.value(samples, "vllm:e2e_request_latency_seconds_count", model)).isGreaterThanOrEqualTo(1);
        assertThat(PrometheusText.value(samples, "vllm:num_requests_waiting", model)).isNotNaN();
        assertThat(PrometheusText.value(samples, "vllm:kv_cache_usage_perc", model)).isNotNaN();
    }

    @Test
    void metrics_samePromptTwice_prefixCacheCountersShowTheHit() throws Exception {
        String words = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "word" + i)
                .collect(java.util.stream.Collectors.joining(" "));
        String body = "{\"model\":\"" + MODEL + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\""
                + words + "\"}]}";
        Map<String, String> model = Map.of("model_name", MODEL);
        var before = PrometheusText.parse(call(HttpMethod.GET, "/metrics", null).body());
        assertThat(call(HttpMethod.POST, "/v1/chat/completions", body).status()).isEqualTo(200);
        assertThat(call(HttpMethod.POST, "/v1/chat/completions", body).status()).isEqualTo(200);
        var after = PrometheusText.parse(call(HttpMethod.GET, "/metrics", null).body());

        // "user: word0 ... word39\nassistant:" is 44 tokens: 2 full blocks of 16, cached on the second request
        double queried = PrometheusText.value(after, "vllm:prefix_cache_queries_total", model)
                - PrometheusText.value(before, "vllm:prefix_cache_queries_total", model);
        double hits = PrometheusText.value(after, "vllm:prefix_cache_hits_total", model)
                - PrometheusText.value(before, "vllm:prefix_cache_hits_total", model);
        assertThat(queried).isEqualTo(88);
        assertThat(hits).isEqualTo(32);
    }

    @Test
    void infoAndModelsAndHealth_describeTheNode() throws Exception {
        JsonObject info = call(HttpMethod.GET, "/node/info", null).json();
        assertThat(info.getString("engine")).isEqualTo("simulated");
        assertThat(info.getString("accelerator")).isEqualTo("slow");
        assertThat(info.getDouble("memory_gb")).isEqualTo(16.0);
        assertThat(info.getDouble("tflops_bf16")).isEqualTo(65.0);
        assertThat(info.getInteger("slots")).isEqualTo(8);
        assertThat(info.getJsonArray("models").getString(0)).isEqualTo(MODEL);
        JsonObject models = call(HttpMethod.GET, "/v1/models", null).json();
        assertThat(models.getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(MODEL);
        assertThat(models.getJsonArray("data").getJsonObject(0).getInteger("max_model_len"))
                .as("max_model_len: the engine's context per generation")
                .isEqualTo(SLOW.maxContextTokens()).isEqualTo(info.getInteger("context_per_slot"));
        assertThat(call(HttpMethod.GET, "/health", null).status()).isEqualTo(200);
    }
}
