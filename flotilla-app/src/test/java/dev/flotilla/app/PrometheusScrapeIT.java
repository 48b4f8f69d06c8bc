package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.flotilla.protocol.PrometheusText;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (the {@code prometheus} binary on PATH, Debian's package in CI) scrapes a
 * {@code flotilla up} fleet of two simulated nodes (a T4 and an L4) and its gateway every second; PromQL queries
 * through Prometheus's HTTP API must return the gateway's request counter and the nodes' vLLM and
 * DCGM series with the values the fleet itself reports. The configuration written here is the
 * example in docs/observability.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusScrapeIT {
    private static final String SIM = NodeCommand.DEFAULT_SIM_MODEL;
    private static final int CHATS = 5;
    private static final String BUSY = "sim-t4-1";
    private static final String IDLE = "sim-l4-2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;

    private static LocalFleetProcess fleet;
    private static List<ProcessHandle> fleetProcesses = List.of();
    private static Process prometheus;
    private static String prometheusUrl;
    private static OpenAIClient gateway;

    /** One series of an instant-query result. */
    record Series(Map<String, String> labels, double value) {
    }

    @BeforeAll
    static void up() throws Exception {
        Path binary = prometheusBinary();
        fleet = LocalFleetProcess.start("--sim-nodes", "2", "--profiles", "T4,L4", "--port", "0");
        fleetProcesses = Stream.concat(Stream.of(fleet.process.toHandle()), fleet.process.toHandle().descendants())
                .toList();
        assertThat(fleet.nodes).containsOnlyKeys(BUSY, IDLE);

        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, prometheusConfig());
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Path log = dir.resolve("prometheus.log");
        prometheus = new ProcessBuilder(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--storage.tsdb.retention.time=1h",
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .failFast(() -> assertThat(prometheus.isAlive()).as("prometheus is running; its log:%n%s",
                        Files.exists(log) ? Files.readString(log) : "(none)").isTrue())
                .ignoreExceptions().until(() -> get(prometheusUrl + "/-/ready").statusCode() == 200);

        gateway = OpenAIOkHttpClient.builder().baseUrl(fleet.gatewayUrl + "/v1").apiKey("unused").maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void down() {
        if (gateway != null) {
            gateway.close();
        }
        if (prometheus != null) {
            stop(List.of(prometheus.toHandle()));
        }
        if (fleet != null) {
            stop(fleetProcesses);
        }
    }

    @Test
    @Order(1)
    void up_gatewayAndBothNodes_scrapedSuccessfully() throws Exception {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            List<Series> up = query("up");
            assertThat(up).extracting(s -> s.labels().get("instance"))
                    .containsExactlyInAnyOrderElementsOf(targets());
            assertThat(up).allSatisfy(s -> assertThat(s.value()).as("up of %s", s.labels()).isEqualTo(1.0));
        });
        assertThat(query("count by (job) (up)")).extracting(s -> s.labels().get("job") + "=" + (int) s.value())
                .containsExactlyInAnyOrder("flotilla-gateway=1", "flotilla-nodes=2");
    }

    @Test
    @Order(2)
    void requestCounter_afterFiveChats_promqlSumIsFive() throws Exception {
        for (int i = 0; i < CHATS; i++) {
            ChatCompletion c = gateway.chat().completions().create(chat(8).build());
            assertThat(c.model()).isEqualTo(SIM);
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(scalar("sum(flotilla_requests_total{job=\"flotilla-gateway\",outcome=\"ok\"})"))
                        .isEqualTo(CHATS));
        assertThat(scalar("sum(flotilla_requests_total)")).as("no other outcome").isEqualTo(CHATS);
        assertThat(query("sum by (model) (flotilla_requests_total)")).extracting(s -> s.labels().get("model"))
                .containsExactly(SIM);
        assertThat(query("sum by (node) (flotilla_requests_total)")).extracting(s -> s.labels().get("node"))
                .isSubsetOf(fleet.nodes.keySet());
    }

    @Test
    @Order(3)
    void kvCacheGauge_whileTheT4NodeIsBusy_promqlHasTheNodesOwnValue() throws Exception {
        LocalFleetProcess.Node busy = fleet.nodes.get(BUSY);
        LocalFleetProcess.Node idle = fleet.nodes.get(IDLE);
        // Three streams straight to the T4 node (so the gateway's counter stays at CHATS). Each reserves
        // prompt + 1000 KV tokens of the T4's 1,754, so one runs and two wait: about 9 s of a steady,
        // non-zero KV gauge, many scrapes long. A dedicated client lets the test drop them all at once.
        String body = "{\"model\":\"" + SIM + "\",\"stream\":true,\"max_tokens\":1000,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Please tell a story\"}]}";
        HttpClient streams = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            for (int i = 0; i < 3; i++) {
                streams.sendAsync(HttpRequest.newBuilder(URI.create(busy.url() + "/v1/chat/completions"))
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(nodeMetric(busy, "vllm:num_requests_running")).isEqualTo(1.0);
                assertThat(nodeMetric(busy, "vllm:num_requests_waiting")).isEqualTo(2.0);
            });
            double kv = nodeMetric(busy, "vllm:kv_cache_usage_perc");
            assertThat(kv).isGreaterThan(0.0).isLessThan(1.0);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(byNode("vllm:num_requests_running")).containsExactlyInAnyOrderEntriesOf(
                        Map.of(BUSY, 1.0, IDLE, 0.0));
                assertThat(byNode("vllm:kv_cache_usage_perc{model_name=\"" + SIM + "\"}"))
                        .containsExactlyInAnyOrderEntriesOf(Map.of(BUSY, kv, IDLE, 0.0));
            });
            assertThat(nodeMetric(idle, "vllm:kv_cache_usage_perc")).isEqualTo(0.0);
            // The short chats of the previous test reserved far less: this is the highest value it has had.
            assertThat(byNode("max_over_time(vllm:kv_cache_usage_perc[1m])")).containsEntry(BUSY, kv);
            assertThat(nodeMetric(busy, "vllm:num_requests_running")).as("still busy").isEqualTo(1.0);
        } finally {
            streams.shutdownNow(); // the connections drop: the node cancels the generations
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(byNode("vllm:num_requests_running + vllm:num_requests_waiting")).containsEntry(BUSY, 0.0);
            assertThat(byNode("vllm:kv_cache_usage_perc")).containsEntry(BUSY, 0.0);
        });
    }

    @Test
    @Order(4)
    void dcgmGpuUtil_simulatedNodes_onePerGpuWithTheDeviceName() throws Exception {
        List<Series> util = query("DCGM_FI_DEV_GPU_UTIL");
        assertThat(util).extracting(s -> s.labels().get("node") + "/" + s.labels().get("gpu") + "/"
                + s.labels().get("modelName")).containsExactlyInAnyOrder(
                BUSY + "/0/Tesla T4", IDLE + "/0/NVIDIA L4");
        assertThat(util).allSatisfy(s -> assertThat(s.value()).isBetween(0.0, 100.0));
        assertThat(query("DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE")).hasSize(2)
                .allSatisfy(s -> assertThat(s.value()).as("card memory in MiB").isGreaterThan(10_000));
        assertThat(query("flotilla_host_memory_total_bytes")).hasSize(2)
                .allSatisfy(s -> assertThat(s.value()).isPositive());
    }

    private static ChatCompletionCreateParams.Builder chat(long maxTokens) {
        return ChatCompletionCreateParams.builder().model(SIM).addUserMessage("Once upon a time")
                .maxCompletionTokens(maxTokens);
    }

    /** The scrape configuration: one job for the gateway, one for the nodes with a {@code node} label each. */
    private static String prometheusConfig() {
        StringBuilder y = new StringBuilder("""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: flotilla-gateway
                    static_configs:
                      - targets: ['%s']
                  - job_name: flotilla-nodes
                    static_configs:
                """.formatted(hostPort(fleet.gatewayUrl)));
        for (LocalFleetProcess.Node n : fleet.nodes.values()) {
            y.append("      - targets: ['").append(hostPort(n.url())).append("']\n")
                    .append("        labels: {node: ").append(n.name()).append("}\n");
        }
        return y.toString();
    }

    private static List<String> targets() {
        List<String> t = new ArrayList<>(List.of(hostPort(fleet.gatewayUrl)));
        fleet.nodes.values().forEach(n -> t.add(hostPort(n.url())));
        return t;
    }

    private static String hostPort(String url) {
        URI u = URI.create(url);
        return u.getHost() + ":" + u.getPort();
    }

    private static Path prometheusBinary() {
        Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "prometheus")).filter(Files::isExecutable).findFirst();
        return found.orElseThrow(() -> new IllegalStateException("no prometheus binary on PATH (PATH="
                + System.getenv("PATH") + "): install it with 'apt-get install prometheus' (Debian/Ubuntu) "
                + "or run .ci/run, which installs it"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static List<Series> query(String promql) throws Exception {
        HttpResponse<String> r = get(prometheusUrl + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        JsonNode body = JSON.readTree(r.body());
        assertThat(r.statusCode()).as("query %s: %s", promql, r.body()).isEqualTo(200);
        assertThat(body.path("data").path("resultType").asText()).as("query %s", promql).isEqualTo("vector");
        List<Series> out = new ArrayList<>();
        for (JsonNode s : body.path("data").path("result")) {
            Map<String, String> labels = new TreeMap<>();
            s.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.add(new Series(labels, Double.parseDouble(s.path("value").path(1).asText())));
        }
        return out;
    }

    private static double scalar(String promql) throws Exception {
        List<Series> r = query(promql);
        assertThat(r).as("result of %s", promql).hasSize(1);
        return r.get(0).value();
    }

    private static Map<String, Double> byNode(String promql) throws Exception {
        return query(promql).stream().collect(Collectors.toMap(s -> s.labels().get("node"), Series::value));
    }

    private static double nodeMetric(LocalFleetProcess.Node node, String name) throws Exception {
        return PrometheusText.value(PrometheusText.parse(get(node.url() + "/metrics").body()), name,
                Map.of("model_name", SIM));
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * SIGTERM to the first process (the one that stops the others, as Ctrl-C does), then SIGKILL to
     * whatever has not ended after 15 s: no process outlives the test.
     */
    private static void stop(List<ProcessHandle> processes) {
        processes.get(0).destroy();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        } catch (ConditionTimeoutException e) {
            processes.forEach(ProcessHandle::destroyForcibly);
            await().atMost(Duration.ofSeconds(10)).until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));
        }
    }
}
