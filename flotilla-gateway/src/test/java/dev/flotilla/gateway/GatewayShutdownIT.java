package dev.flotilla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.config.GatewayConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown against a real node (a simulated engine at 50 ms a token behind a real node
 * server): a stream in flight when the gateway is asked to stop finishes with {@code [DONE]} while
 * new connections are already refused; a stream longer than {@code listen.shutdownGrace} is cut when
 * the grace is over, and the node's slot is freed.
 */
class GatewayShutdownIT {
    // 50 ms a token: 50 tokens stream for about 2.5 s
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow-gpu", 16, 300, 65,
            50, 0, 5, 0, 8, 20_000, 4096);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SimulatedEngine engine;
    private NodeServer node;
    private Gateway gateway;

    @AfterEach
    void tearDown() {
        if (gateway != null) {
            gateway.close(); // a second close after the test's is a no-op
        }
        if (node != null) {
            node.close();
        }
        if (engine != null) {
            engine.close();
        }
        http.shutdownNow();
    }

    private void start(Duration grace) {
        engine = SimulatedEngine.realTime("m", SLOW);
        node = NodeServer.start(NodeServerConfig.loopback("a", 0), engine, Clock.systemUTC());
        gateway = Gateway.start(GatewayConfig.of(List.of(new GatewayConfig.Node("a", node.url())))
                .withListen(GatewayConfig.Listen.loopback(0).withShutdownGrace(grace)), Clock.systemUTC());
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.registry().upCount() == 1);
    }

    /** A streamed chat request whose lines are collected as they arrive. */
    private record Stream(CompletableFuture<Void> done, List<String> lines) {
        boolean sawFirstToken() {
            return lines.stream().anyMatch(l -> l.startsWith("data: {"));
        }
    }

    /**
     * A streamed completion. At temperature 0 the simulated text depends on the prompt only; this
     * prompt's runs for 73 tokens, so {@code max_tokens} below that ends the stream by length.
     */
    private Stream stream(int maxTokens) {
        HttpRequest request = HttpRequest.newBuilder(gateway.url().resolve("/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"stream\":true,\"temperature\":0,"
                        + "\"max_tokens\":" + maxTokens + ",\"prompt\":\"Tell me everything\"}"))
                .build();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenAccept(r -> {
                    assertThat(r.statusCode()).isEqualTo(200);
                    try (InputStream body = r.body(); BufferedReader in = new BufferedReader(
                            new InputStreamReader(body, StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        return new Stream(done, lines);
    }

    private boolean refusesConnections(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void shutdown_streamInFlight_finishesWithDoneWhileNewConnectionsAreRefused() throws Exception {
        start(Duration.ofSeconds(20));
        int port = gateway.port();
        Stream s = stream(50);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(s::sawFirstToken);

        long started = System.nanoTime();
        CompletableFuture<Void> stopped = gateway.shutdown().toCompletionStage().toCompletableFuture();
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(10)).until(() -> refusesConnections(port));
        assertThat(s.done()).as("the listener closed while the stream was still running").isNotDone();
        HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            assertThatThrownBy(() -> fresh.send(HttpRequest.newBuilder(gateway.url().resolve("/v1/models"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("a new request during the drain").isInstanceOf(ConnectException.class);
        } finally {
            fresh.shutdownNow();
        }

        s.done().get(15, TimeUnit.SECONDS);
        assertThat(s.lines().stream().filter(l -> l.startsWith("data: ")).toList()).last().isEqualTo("data: [DONE]");
        assertThat(s.lines().stream().filter(l -> l.contains("\"finish_reason\":\"length\"")).count())
                .as("the stream ran to its max_tokens").isEqualTo(1);
        stopped.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("shutdown ended with the stream, not at the 20 s grace").isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void shutdown_streamLongerThanTheGrace_isCutWhenTheGraceEndsAndTheNodeSlotIsFreed() throws Exception {
        start(Duration.ofSeconds(1));
        Stream s = stream(400); // all 73 tokens of the text: about 3.6 s
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(s::sawFirstToken);
        assertThat(engine.state().running()).isEqualTo(1);

        long started = System.nanoTime();
        gateway.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).as("close() waited for the grace").isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(took).as("and no longer than grace plus the close margin").isLessThan(Duration.ofSeconds(11));

        await().atMost(Duration.ofSeconds(5)).until(() -> s.done().isDone());
        assertThat(s.lines()).as("the cut stream has no end marker").doesNotContain("data: [DONE]");
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.state().running() == 0);
    }
}
