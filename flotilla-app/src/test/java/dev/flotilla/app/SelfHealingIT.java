package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.protocol.PrometheusText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code flotilla up} healing itself, from the packaged jar with two simulated T4 nodes: a node
 * killed with {@code kill -9} comes back with a new pid on the same URL and takes traffic again; a
 * killed gateway comes back on its port; a node whose port another process has taken is given up
 * after {@code --max-restarts} and reported; Ctrl-C (SIGTERM) lets a stream in flight finish, stops
 * every process and restarts none. The supervisor's {@code /status} finds the pids, its
 * {@code /metrics} counts the restarts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfHealingIT {
    private static final String MODEL = NodeCommand.DEFAULT_SIM_MODEL;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static LocalFleetProcess fleet;

    @BeforeAll
    static void up() throws Exception {
        fleet = LocalFleetProcess.start("--sim-nodes", "2", "--profiles", "T4", "--port", "0",
                "--max-restarts", "2", "--restart-window", "60s", "--shutdown-grace", "20s");
        assertThat(fleet.supervisorUrl).as("the summary names the supervisor").isNotNull();
    }

    @AfterAll
    static void down() {
        if (fleet != null && fleet.process.isAlive()) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void killedNode_backWithANewPidOnTheSameUrl_routedToAgain_restartCounted() throws Exception {
        JsonNode before = child("sim-t4-1");
        long oldPid = before.path("pid").asLong();
        String url = before.path("url").asText();
        assertThat(before.path("state").asText()).isEqualTo("running");
        assertThat(url).isEqualTo(fleet.nodes.get("sim-t4-1").url());

        ProcessHandle victim = ProcessHandle.of(oldPid).orElseThrow();
        victim.destroyForcibly(); // kill -9
        victim.onExit().get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode now = child("sim-t4-1");
            assertThat(now.path("state").asText()).isEqualTo("running");
            assertThat(now.path("pid").asLong()).isNotEqualTo(oldPid).isPositive();
            assertThat(now.path("url").asText()).isEqualTo(url);
            assertThat(now.path("restarts").asInt()).isEqualTo(1);
            assertThat(now.path("lastExit").asText()).isEqualTo("code 137 (signal 9, SIGKILL)");
        });
        assertThat(fleet.log()).contains("[sim-t4-1] exited with code 137 (signal 9, SIGKILL); restart 1 in 500 ms",
                "[sim-t4-1] restarted: " + url);

        // the gateway's config still points at the URL: the node comes back into rotation and is served again
        await().atMost(Duration.ofSeconds(30)).until(() -> "healthy".equals(fleetState("sim-t4-1")));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
            assertThat(complete().statusCode()).isEqualTo(200);
            assertThat(served(url)).as("requests served by the restarted process").isPositive();
        });

        assertThat(supervisorMetric("flotilla_supervisor_restarts_total", "sim-t4-1")).isEqualTo(1.0);
        assertThat(supervisorMetric("flotilla_supervisor_restarts_total", "sim-t4-2")).isZero();
        assertThat(supervisorMetric("flotilla_supervisor_child_up", "sim-t4-1")).isEqualTo(1.0);
        assertThat(supervisorMetric("flotilla_supervisor_child_given_up", "sim-t4-1")).isZero();
    }

    @Test
    @Order(2)
    void killedGateway_backOnItsPort_clientsReconnect() throws Exception {
        JsonNode before = child("gateway");
        long oldPid = before.path("pid").asLong();
        assertThat(before.path("url").asText()).isEqualTo(fleet.gatewayUrl);

        ProcessHandle gateway = ProcessHandle.of(oldPid).orElseThrow();
        gateway.destroyForcibly();
        gateway.onExit().get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonNode now = child("gateway");
            assertThat(now.path("state").asText()).isEqualTo("running");
            assertThat(now.path("pid").asLong()).isNotEqualTo(oldPid);
            assertThat(now.path("url").asText()).isEqualTo(fleet.gatewayUrl);
        });
        // a client retries, and the same URL answers again
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertThat(complete().statusCode()).isEqualTo(200));
        assertThat(supervisorMetric("flotilla_supervisor_restarts_total", "gateway")).isEqualTo(1.0);
        assertThat(fleet.log()).contains("[gateway] exited with code 137 (signal 9, SIGKILL); restart 1 in 500 ms");
    }

    @Test
    @Order(3)
    void nodeWhosePortIsTaken_givenUpAfterMaxRestarts_reportedWhileTheRestServes() throws Exception {
        JsonNode before = child("sim-t4-2");
        String url = before.path("url").asText();
        int port = URI.create(url).getPort();
        ProcessHandle victim = ProcessHandle.of(before.path("pid").asLong()).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get(10, TimeUnit.SECONDS);
        // another program takes the port within the 500 ms before the first restart
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new InetSocketAddress("127.0.0.1", port));

            await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(200))
                    .until(() -> "given_up".equals(child("sim-t4-2").path("state").asText()));
            JsonNode after = child("sim-t4-2");
            assertThat(after.path("restarts").asInt()).as("--max-restarts 2").isEqualTo(2);
            assertThat(after.path("pid").isNull()).isTrue();
            assertThat(after.path("lastExit").asText()).isEqualTo("code 2");
            assertThat(fleet.log()).contains("[sim-t4-2] exited with code 137 (signal 9, SIGKILL); restart 1 in 500 ms",
                    "[sim-t4-2] exited with code 2; restart 2 in 1 s");
            String givenUp = fleet.output.stream().filter(l -> l.startsWith("[sim-t4-2] GIVEN UP")).findFirst().orElseThrow();
            assertThat(givenUp).contains("3 exits within 1 min", "the last with code 2",
                    "cannot listen on 127.0.0.1:" + port);

            assertThat(supervisorMetric("flotilla_supervisor_restarts_total", "sim-t4-2")).isEqualTo(2.0);
            assertThat(supervisorMetric("flotilla_supervisor_child_up", "sim-t4-2")).isZero();
            assertThat(supervisorMetric("flotilla_supervisor_child_given_up", "sim-t4-2")).isEqualTo(1.0);
            assertThat(fleet.process.isAlive()).as("up keeps the rest of the fleet running").isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(complete().statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    @Order(99)
    void stop_streamInFlightFinishes_everyProcessEnds_nothingRestarted() throws Exception {
        List<ProcessHandle> children = fleet.process.toHandle().descendants().toList();
        assertThat(children).hasSizeGreaterThanOrEqualTo(2); // gateway, sim-t4-1 (sim-t4-2 was given up)
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> stream = streamLines(lines);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: {")));
        int logBefore = fleet.output.size();

        // SIGTERM, as Ctrl-C: the gateway drains before the nodes stop. Through the handle, since
        // Process.destroy() would also close our end of up's output, and the output is checked below
        fleet.process.toHandle().destroy();
        stream.get(30, TimeUnit.SECONDS);
        assertThat(lines.stream().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
        assertThat(fleet.process.waitFor(40, TimeUnit.SECONDS)).as("up ends").isTrue();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(children).noneMatch(ProcessHandle::isAlive));
        // up has ended; the last of its output may still be in the pipe
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(fleet.output.subList(logBefore,
                        fleet.output.size())).as("the gateway drained: it was stopped before the node it streamed from")
                .anyMatch(l -> l.startsWith("[gateway]") && l.contains("drained in")));
        List<String> stopping = List.copyOf(fleet.output.subList(logBefore, fleet.output.size()));
        assertThat(stopping).as("no restart while stopping").noneMatch(l -> l.contains("restart") || l.contains("exited with"));
    }

    /** A streamed completion of 50 tokens (about 2 s on a simulated T4), its lines collected as they come. */
    private static CompletableFuture<Void> streamLines(List<String> lines) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(fleet.gatewayUrl + "/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"stream\":true,"
                        + "\"temperature\":0,\"max_tokens\":50,\"prompt\":\"Tell me everything\"}"))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenAccept(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static JsonNode child(String name) throws Exception {
        for (JsonNode c : JSON.readTree(get(fleet.supervisorUrl + "/status").body()).path("children")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no child " + name + " in the supervisor's status");
    }

    private static double supervisorMetric(String metric, String child) throws Exception {
        return PrometheusText.value(PrometheusText.parse(get(fleet.supervisorUrl + "/metrics").body()), metric,
                Map.of("child", child));
    }

    private static String fleetState(String node) throws Exception {
        for (JsonNode n : JSON.readTree(get(fleet.gatewayUrl + "/admin/fleet").body()).path("nodes")) {
            if (node.equals(n.path("name").asText())) {
                return n.path("state").asText();
            }
        }
        return null;
    }

    private static double served(String nodeUrl) throws Exception {
        return PrometheusText.parse(get(nodeUrl + "/metrics").body()).stream()
                .filter(s -> s.name().equals("vllm:request_success_total") && MODEL.equals(s.labels().get("model_name")))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static HttpResponse<String> complete() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(fleet.gatewayUrl + "/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"prompt\":\"Once\",\"max_tokens\":3}"))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
