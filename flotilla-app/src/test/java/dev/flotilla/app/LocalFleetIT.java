package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.flotilla.protocol.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End to end, as a user runs it: {@code flotilla up} from the packaged jar with two llama.cpp nodes
 * on stories260K and one simulated T4, each a child process, and the official OpenAI Java SDK as
 * the client. The last two tests kill a node (which the supervisor restarts) and then stop the whole fleet.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalFleetIT {
    private static final String LLAMA = "stories260K";
    private static final String SIM = NodeCommand.DEFAULT_SIM_MODEL;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalFleetProcess fleet;
    private static OpenAIClient openai;
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void up() throws Exception {
        fleet = LocalFleetProcess.start("--model", LocalFleetProcess.model().toString(), "--llama-nodes", "2",
                "--sim-nodes", "1", "--profiles", "T4", "--port", "0");
        openai = OpenAIOkHttpClient.builder().baseUrl(fleet.gatewayUrl + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    @AfterAll
    static void down() {
        if (openai != null) {
            openai.close();
        }
        if (fleet != null && fleet.process.isAlive()) {
            fleet.close();
        }
    }

    private static ChatCompletionCreateParams.Builder story(String model, long maxTokens) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Once upon a time")
                .temperature(0.0).seed(7L).maxCompletionTokens(maxTokens);
    }

    @Test
    @Order(1)
    void chat_streamedAndWhole_sameTextAndUsageAtTemperatureZero() {
        ChatCompletion whole = openai.chat().completions().create(story(LLAMA, 80).build());
        String text = whole.choices().get(0).message().content().orElseThrow();
        assertThat(text).isNotBlank().matches("(?s).*[a-zA-Z]{3,}.*");
        CompletionUsage usage = whole.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isBetween(1L, 80L);
        assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());

        StringBuilder streamed = new StringBuilder();
        CompletionUsage streamedUsage = null;
        String finish = null;
        int contentChunks = 0;
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(story(LLAMA, 80)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice choice : chunk.choices()) {
                    choice.delta().content().filter(c -> !c.isEmpty()).ifPresent(streamed::append);
                    if (choice.finishReason().isPresent()) {
                        finish = choice.finishReason().get().asString();
                    }
                }
                if (!chunk.choices().isEmpty() && chunk.choices().get(0).delta().content().filter(c -> !c.isEmpty())
                        .isPresent()) {
                    contentChunks++;
                }
                if (chunk.usage().isPresent()) {
                    streamedUsage = chunk.usage().get();
                }
            }
        }
        assertThat(streamed.toString()).isEqualTo(text);
        assertThat(contentChunks).as("the text arrives in many chunks, token by token").isGreaterThan(5);
        assertThat(finish).isEqualTo(whole.choices().get(0).finishReason().asString());
        assertThat(streamedUsage).isNotNull();
        assertThat(streamedUsage.promptTokens()).isEqualTo(usage.promptTokens());
        assertThat(streamedUsage.completionTokens()).isEqualTo(usage.completionTokens());
    }

    @Test
    @Order(2)
    void completions_maxTokens_givesLengthAndExactUsage() {
        Completion c = openai.completions().create(CompletionCreateParams.builder().model(LLAMA)
                .prompt("Once upon a time").maxTokens(12L).temperature(0.0).build());
        assertThat(c.choices().get(0).text()).isNotBlank();
        assertThat(c.choices().get(0).finishReason().asString()).isEqualTo("length");
        assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(12);
    }

    @Test
    @Order(3)
    void models_listTheFleetsModels() {
        List<String> ids = openai.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).containsExactlyInAnyOrder(LLAMA, SIM);
    }

    @Test
    @Order(4)
    void simulatedNode_servesItsModelThroughTheGateway() {
        ChatCompletion c = openai.chat().completions().create(story(SIM, 8).build());
        assertThat(c.model()).isEqualTo(SIM);
        assertThat(c.usage().orElseThrow().completionTokens()).isLessThanOrEqualTo(8);
    }

    static Stream<Arguments> badRequests() {
        String longPrompt = "Once upon a time there was a little dog. ".repeat(120);
        return Stream.of(
                Arguments.of(Named.of("invalid JSON", "{\"model\":\"stories260K\",\"messages\":["), 400, null, "invalid_json"),
                Arguments.of(Named.of("missing messages", "{\"model\":\"stories260K\"}"), 400, "messages",
                        "missing_required_parameter"),
                Arguments.of(Named.of("negative max_tokens", "{\"model\":\"stories260K\",\"max_tokens\":-3,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Once\"}]}"), 400, "max_tokens",
                        "integer_below_min_value"),
                Arguments.of(Named.of("unknown model", "{\"model\":\"gpt-17\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"Once\"}]}"), 404, "model", "model_not_found"),
                Arguments.of(Named.of("prompt longer than the context", "{\"model\":\"stories260K\","
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}"), 400, "messages",
                        "context_length_exceeded"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    @Order(5)
    void badInput_getsStatusAndOpenAiErrorBody(String body, int status, String param, String code) throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        JsonNode error = JSON.readTree(r.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).isNotBlank();
        if (param == null) {
            assertThat(error.path("param").isNull()).isTrue();
        } else {
            assertThat(error.path("param").asText()).isEqualTo(param);
        }
    }

    @Test
    @Order(6)
    void badInput_officialClient_seesTypedErrors() {
        assertThatThrownBy(() -> openai.chat().completions().create(story("gpt-17", 5).build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> openai.chat().completions().create(ChatCompletionCreateParams.builder().model(LLAMA)
                .addUserMessage("Once upon a time ".repeat(300)).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.code()).hasValue("context_length_exceeded");
                });
    }

    @Test
    @Order(7)
    void clientDisconnect_midStream_freesTheNodesSlot() throws Exception {
        String nodeUrl = fleet.nodes.get("sim-t4-1").url();
        double finishedBefore = successes(nodeUrl);
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(
                story(SIM, 1000).build())) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            for (int i = 0; i < 4; i++) {
                assertThat(it.hasNext()).isTrue();
                it.next();
            }
            assertThat(running(nodeUrl)).isEqualTo(1.0);
        } // closing the stream drops the connection mid-answer
        await().atMost(Duration.ofSeconds(10)).until(() -> running(nodeUrl) == 0.0);
        assertThat(successes(nodeUrl)).as("the generation was cancelled, not finished").isEqualTo(finishedBefore);
    }

    @Test
    @Order(98)
    void killedNode_nextRequestsGoToTheOthers_andTheSupervisorBringsItBack() throws Exception {
        LocalFleetProcess.Node victim = fleet.nodes.get("llama-1");
        ProcessHandle handle = ProcessHandle.of(victim.pid()).orElseThrow();
        handle.destroyForcibly(); // kill -9
        await().atMost(Duration.ofSeconds(10)).until(() -> !handle.isAlive());

        for (int i = 0; i < 8; i++) {
            Completion c = openai.completions().create(CompletionCreateParams.builder().model(LLAMA)
                    .prompt("Once upon a time").maxTokens(4L).build());
            assertThat(c.choices().get(0).text()).isNotNull();
        }
        assertThat(ProcessHandle.of(fleet.gatewayPid).map(ProcessHandle::isAlive)).hasValue(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> fleet.log().contains("[llama-1] exited with code 137"));
        // restarted on the same port: the gateway's config still holds, and the node is back in rotation
        await().atMost(Duration.ofSeconds(60)).until(() -> fleet.log().contains("[llama-1] restarted: " + victim.url()));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode health = JSON.readTree(get("/health").body());
            assertThat(health.path("nodes_up").asInt()).isEqualTo(3);
        });
    }

    @Test
    @Order(99)
    void stop_endsEveryProcess() {
        List<ProcessHandle> children = fleet.process.toHandle().descendants().toList();
        assertThat(children).hasSizeGreaterThanOrEqualTo(4); // gateway, llama-1 (restarted), llama-2, sim-t4-1
        fleet.close(); // SIGTERM, as Ctrl-C
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(children).noneMatch(ProcessHandle::isAlive));
    }

    private static double running(String nodeUrl) throws Exception {
        return metric(nodeUrl, "vllm:num_requests_running");
    }

    private static double successes(String nodeUrl) throws Exception {
        var samples = PrometheusText.parse(getAbsolute(nodeUrl + "/metrics").body());
        return samples.stream().filter(s -> s.name().equals("vllm:request_success_total"))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static double metric(String nodeUrl, String name) throws Exception {
        return PrometheusText.value(PrometheusText.parse(getAbsolute(nodeUrl + "/metrics").body()), name,
                Map.of("model_name", SIM));
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(fleet.gatewayUrl + path))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return getAbsolute(fleet.gatewayUrl + path);
    }

    private static HttpResponse<String> getAbsolute(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
