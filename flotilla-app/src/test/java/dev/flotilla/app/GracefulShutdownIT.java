package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flotilla gateway} as a process, stopped with SIGTERM while a stream runs through it to a
 * simulated T4 node process: new connections are refused at once, the stream finishes with
 * {@code [DONE]} and the process exits; with a shorter {@code listen.shutdownGrace} than the
 * stream, the process exits when the grace is over and the stream is cut.
 */
class GracefulShutdownIT {
    private static final Pattern LISTENING = Pattern.compile("is listening on (http://\\S+)");
    private static final String MODEL = NodeCommand.DEFAULT_SIM_MODEL;

    private static final List<Process> nodes = new ArrayList<>();
    private static String nodeUrl;
    private final List<Process> gateways = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private record Started(Process process, String url, List<String> output) {
    }

    private static Started start(List<Process> owner, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar", LocalFleetProcess.jar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        owner.add(p);
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            url.completeExceptionally(new IllegalStateException(String.join(" ", args) + " ended before listening:\n"
                    + String.join("\n", output)));
        });
        return new Started(p, url.get(60, TimeUnit.SECONDS), output);
    }

    @BeforeAll
    static void node() throws Exception {
        nodeUrl = start(nodes, "node", "--profile", "T4", "--name", "t4", "--port", "0").url();
    }

    @AfterAll
    static void stopNode() throws InterruptedException {
        for (Process p : nodes) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @AfterEach
    void stopGateways() throws InterruptedException {
        for (Process p : gateways) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        http.shutdownNow();
    }

    private Started gateway(Path dir, String grace) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { host: 127.0.0.1, port: 0, eventLoops: 1, shutdownGrace: %s }
                health: { interval: 200ms }
                nodes:
                  - { name: t4, url: '%s' }
                """.formatted(grace, nodeUrl));
        Started g = start(gateways, "gateway", "--config", config.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> get(g.url() + "/health").contains("\"nodes_up\":1"));
        return g;
    }

    /**
     * A streamed completion at temperature 0, whose simulated text runs 73 tokens; its lines are
     * collected as they come. On a T4 a token takes about 40 ms.
     */
    private CompletableFuture<Void> stream(String gatewayUrl, int maxTokens, List<String> lines) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"stream\":true,"
                        + "\"temperature\":0,\"max_tokens\":" + maxTokens + ",\"prompt\":\"Tell me everything\"}"))
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

    private static boolean refuses(String url) {
        URI u = URI.create(url);
        try (Socket ignored = new Socket(u.getHost(), u.getPort())) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void sigterm_streamInFlight_finishesNewConnectionsRefusedProcessExits(@TempDir Path dir) throws Exception {
        Started g = gateway(dir, "20s");
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> stream = stream(g.url(), 60, lines);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: {")));

        long signalled = System.nanoTime();
        // SIGTERM; through the handle, since Process.destroy() also closes our end of its output
        g.process().toHandle().destroy();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10)).until(() -> refuses(g.url()));
        assertThat(stream).as("refused while the stream still runs").isNotDone();
        HttpClient fresh = HttpClient.newHttpClient();
        try {
            assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(URI.create(g.url() + "/v1/models"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("a new request during the drain").isInstanceOf(ConnectException.class);
        } finally {
            fresh.shutdownNow();
        }

        stream.get(30, TimeUnit.SECONDS);
        assertThat(lines.stream().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
        assertThat(lines).anyMatch(l -> l.contains("\"finish_reason\":\"length\""));
        assertThat(g.process().waitFor(20, TimeUnit.SECONDS)).as("the gateway exits within its grace").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(20));
        // the process has ended; its last lines may still be on their way through the pipe
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(g.output()).anyMatch(l -> l.contains("drained in")));
    }

    @Test
    void sigterm_streamLongerThanTheGrace_processExitsAtTheGraceAndTheStreamIsCut(@TempDir Path dir) throws Exception {
        Started g = gateway(dir, "500ms");
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> stream = stream(g.url(), 400, lines); // all 73 tokens: about 3 s
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .until(() -> lines.stream().anyMatch(l -> l.startsWith("data: {")));

        g.process().toHandle().destroy();
        assertThat(g.process().waitFor(11, TimeUnit.SECONDS)).as("exits by grace plus the close margin").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(stream::isDone);
        assertThat(lines).as("the cut stream has no end marker").doesNotContain("data: [DONE]");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(g.output()).anyMatch(l -> l.contains("shutdown grace of 500 ms over")));
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
