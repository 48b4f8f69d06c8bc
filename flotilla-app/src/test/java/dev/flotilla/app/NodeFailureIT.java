package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.protocol.PrometheusText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real node processes behind a real gateway process: a node killed with {@code kill -9} is
 * taken out of rotation and the traffic goes to the others without a failed request; started
 * again on the same port, it comes back after the configured number of good checks. A node drained
 * under load finishes what it has and gets nothing new.
 */
class NodeFailureIT {
    private static final Pattern LISTENING = Pattern.compile("is listening on (http://\\S+)");
    private static final String MODEL = NodeCommand.DEFAULT_SIM_MODEL;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stopAll() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    /** Starts {@code flotilla <args>} from the jar and returns the URL it says it listens on. */
    private record Started(Process process, String url) {
    }

    private Started start(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar", LocalFleetProcess.jar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException(String.join(" ", args) + " ended before listening"));
        });
        return new Started(p, url.get(60, TimeUnit.SECONDS));
    }

    @Test
    void killedNode_outOfRotationWithoutFailedRequests_thenBackAfterRestart(@TempDir Path dir) throws Exception {
        List<Started> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(start("node", "--profile", "zero", "--name", "n" + i, "--port", "0"));
        }
        StringBuilder yaml = new StringBuilder("""
                listen: { host: 127.0.0.1, port: 0, eventLoops: 1 }
                health: { interval: 200ms, timeout: 1s, healthyAfter: 2 }
                nodes:
                """);
        for (int i = 0; i < 3; i++) {
            yaml.append("  - { name: n").append(i + 1).append(", url: '").append(nodes.get(i).url()).append("' }\n");
        }
        Path config = Files.writeString(dir.resolve("gateway.yaml"), yaml);
        String gateway = start("gateway", "--config", config.toString()).url();
        await().atMost(Duration.ofSeconds(20)).until(() -> states(gateway).values().stream().allMatch("healthy"::equals));

        Started victim = nodes.get(0);
        victim.process().destroyForcibly(); // kill -9
        victim.process().waitFor(10, TimeUnit.SECONDS);
        // the next active check (every 200 ms) finds it; allow a few intervals on a loaded CI machine
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> "unhealthy".equals(states(gateway).get("n1")));

        double before = served(nodes.get(1)) + served(nodes.get(2));
        for (int i = 0; i < 10; i++) {
            assertThat(complete(gateway).statusCode()).isEqualTo(200);
        }
        assertThat(served(nodes.get(1)) + served(nodes.get(2)) - before).isEqualTo(10);

        String port = victim.url().substring(victim.url().lastIndexOf(':') + 1);
        Started restarted = start("node", "--profile", "zero", "--name", "n1", "--port", port);
        await().atMost(Duration.ofSeconds(20)).until(() -> "healthy".equals(states(gateway).get("n1")));
        for (int i = 0; i < 6; i++) {
            assertThat(complete(gateway).statusCode()).isEqualTo(200);
        }
        assertThat(served(restarted)).as("the restarted node takes requests again").isPositive();
    }

    @Test
    void drainedNodeUnderLoad_finishesItsStreamsAndTakesNoNewRequests(@TempDir Path dir) throws Exception {
        Started n1 = start("node", "--profile", "T4", "--name", "n1", "--port", "0");
        Started n2 = start("node", "--profile", "T4", "--name", "n2", "--port", "0");
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { host: 127.0.0.1, port: 0, eventLoops: 1 }
                health: { interval: 200ms }
                nodes:
                  - { name: n1, url: '%s' }
                  - { name: n2, url: '%s' }
                """.formatted(n1.url(), n2.url()));
        String gateway = start("gateway", "--config", config.toString()).url();
        await().atMost(Duration.ofSeconds(20)).until(() -> states(gateway).values().stream().allMatch("healthy"::equals));

        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gateway + "/v1/chat/completions"))
                    .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"stream\":true,"
                            + "\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"Tell a story " + i + "\"}]}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> busy(n1) >= 1);
        HttpResponse<String> drain = http.send(HttpRequest.newBuilder(URI.create(gateway + "/admin/nodes/n1/drain"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(drain.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(drain.body()).path("state").asText()).isEqualTo("draining");
        assertThat(busy(n1)).as("the drain happened while n1 was working").isPositive();

        for (CompletableFuture<HttpResponse<String>> f : streams) {
            HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).as("every in-flight stream finishes").contains("data: [DONE]");
        }
        double n1Served = served(n1);
        double n2Served = served(n2);
        for (int i = 0; i < 5; i++) {
            assertThat(complete(gateway).statusCode()).isEqualTo(200);
        }
        assertThat(served(n1)).as("no new request reaches the drained node").isEqualTo(n1Served);
        assertThat(served(n2) - n2Served).isEqualTo(5);
        assertThat(states(gateway).get("n1")).isEqualTo("draining");
    }

    /** Requests running or waiting on a node, from its own metrics. */
    private double busy(Started node) throws Exception {
        var samples = PrometheusText.parse(get(node.url() + "/metrics").body());
        Map<String, String> model = Map.of("model_name", MODEL);
        return PrometheusText.value(samples, "vllm:num_requests_running", model)
                + PrometheusText.value(samples, "vllm:num_requests_waiting", model);
    }

    private Map<String, String> states(String gateway) throws Exception {
        JsonNode fleet = JSON.readTree(get(gateway + "/admin/fleet").body());
        Map<String, String> states = new java.util.HashMap<>();
        for (JsonNode n : fleet.path("nodes")) {
            states.put(n.path("name").asText(), n.path("state").asText());
        }
        return states;
    }

    private double served(Started node) throws Exception {
        return PrometheusText.parse(get(node.url() + "/metrics").body()).stream()
                .filter(s -> s.name().equals("vllm:request_success_total")
                        && MODEL.equals(s.labels().get("model_name")))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private HttpResponse<String> complete(String gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + "/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"prompt\":\"Once\",\"max_tokens\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
