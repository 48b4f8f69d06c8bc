package dev.flotilla.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeState;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A client that disconnects cancels the upstream request: the node's own running count (the
 * simulated engine behind a real node server) drops back to 0 long before the answer would have
 * ended, and the gateway's outstanding count for the node is released.
 */
class CancellationIT {
    // 50 ms a token: 400 tokens would run for 20 s, far longer than the test waits
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow-gpu", 16, 300, 65,
            50, 0, 5, 0, 8, 20_000, 4096);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of(Named.of("streamed chat", "{\"model\":\"m\",\"max_tokens\":400,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me a long story\"}]}"), true),
                Arguments.of(Named.of("non-streamed completion", "{\"model\":\"m\",\"max_tokens\":400,"
                        + "\"prompt\":\"tell me a long story\"}"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void clientDisconnects_nodeFreesItsSlotAndGatewayReleasesLoad(String body, boolean stream) throws Exception {
        SimulatedEngine engine = SimulatedEngine.realTime("m", SLOW);
        toClose.add(engine);
        NodeServer server = NodeServer.start(NodeServerConfig.loopback("a", 0), engine, Clock.systemUTC());
        toClose.add(server);
        Gateway gateway = Gateway.start(GatewayConfig.of(List.of(new GatewayConfig.Node("a", server.url())))
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(Duration.ofMillis(100), Duration.ofMillis(500))), Clock.systemUTC());
        toClose.add(gateway);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.registry().snapshot("a").state() == NodeState.HEALTHY);

        String path = stream ? "/v1/chat/completions" : "/v1/completions";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket client = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = client.getOutputStream();
            out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            if (stream) {
                // the stream is under way: its first event with output has reached the client
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                String line;
                do {
                    line = in.readLine();
                } while (line != null && !line.contains("\"content\":\""));
                assertThat(line).as("a first event with output").isNotNull();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.state().running() == 1);
            assertThat(gateway.registry().snapshot("a").outstanding()).isEqualTo(1);
        }
        // the client is gone: the node stops generating (20 s of work left) and the gateway lets go
        await().atMost(Duration.ofSeconds(5)).until(() -> engine.state().running() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.registry().snapshot("a").outstanding() == 0);
        assertThat(engine.state().waiting()).isZero();
    }
}
