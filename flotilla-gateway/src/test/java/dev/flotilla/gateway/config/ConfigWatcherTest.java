package dev.flotilla.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {
    private static final Duration QUIET = Duration.ofMillis(50);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final ConfigLoader loader = new ConfigLoader(dev.flotilla.gateway.scheduling.SchedulingPlugins.builtIn());
    private final List<GatewayConfig> applied = new CopyOnWriteArrayList<>();
    @TempDir
    Path dir;
    private ConfigWatcher watcher;

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private static String yaml(String... nodes) {
        StringBuilder sb = new StringBuilder("nodes:\n");
        for (String n : nodes) {
            sb.append("  - { name: ").append(n).append(", url: \"http://127.0.0.1:").append(9000 + n.charAt(0))
                    .append("\" }\n");
        }
        return sb.toString();
    }

    private List<String> lastNodes() {
        return applied.getLast().nodes().stream().map(GatewayConfig.Node::name).toList();
    }

    private ConfigWatcher start(Path file, String text, Map<String, String> env) throws Exception {
        Files.writeString(file, text);
        GatewayConfig running = loader.load(file, env);
        watcher = ConfigWatcher.start(file, loader, env, running, applied::add, QUIET);
        return watcher;
    }

    @Test
    void start_unchangedFile_readOnceAndAppliedAsIs() throws Exception {
        start(dir.resolve("gateway.yaml"), yaml("a"), Map.of());

        assertThat(watcher.reads()).isEqualTo(1);
        assertThat(watcher.last()).isInstanceOf(ConfigWatcher.Outcome.Applied.class);
        assertThat(lastNodes()).containsExactly("a");
    }

    @Test
    void edit_inPlace_newVersionHandedOn() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        start(file, yaml("a"), Map.of());

        Files.writeString(file, yaml("a", "b"));

        await().atMost(WAIT).until(() -> lastNodes().equals(List.of("a", "b")));
    }

    @Test
    void edit_replacedByRename_newVersionHandedOn() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        start(file, yaml("a"), Map.of());

        Path tmp = dir.resolve(".gateway.yaml.swp");
        Files.writeString(tmp, yaml("c"));
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

        await().atMost(WAIT).until(() -> lastNodes().equals(List.of("c")));
    }

    @Test
    void edit_invalidVersion_everyProblemReportedNothingHandedOn() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        start(file, yaml("a"), Map.of());
        int before = applied.size();

        Files.writeString(file, "nodes:\n  - { name: Bad!, url: nope }\n");

        await().atMost(WAIT).until(() -> watcher.last() instanceof ConfigWatcher.Outcome.Invalid);
        assertThat(((ConfigWatcher.Outcome.Invalid) watcher.last()).problems()).containsExactly(
                "nodes[0].name: \"Bad!\" (expected 1-63 lower-case letters, digits, '-', '.' or '_', starting and ending with a letter or digit)",
                "nodes[0].url: \"nope\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)");
        assertThat(applied).hasSize(before);

        Files.writeString(file, yaml("a", "d"));
        await().atMost(WAIT).until(() -> lastNodes().equals(List.of("a", "d")));
    }

    @Test
    void edit_emptiedOrDeleted_neverHandedOnAsAnEmptyFleet() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        start(file, yaml("a"), Map.of());

        Files.writeString(file, "");
        await().atMost(WAIT).until(() -> watcher.last() instanceof ConfigWatcher.Outcome.Unreadable u
                && u.reason().startsWith("is empty"));
        Files.delete(file);
        await().atMost(WAIT).until(() -> watcher.last() instanceof ConfigWatcher.Outcome.Unreadable u
                && u.reason().startsWith("is missing"));
        assertThat(applied).hasSize(1);

        Files.writeString(file, "nodes: []\n");
        await().atMost(WAIT).until(() -> applied.size() == 2);
        assertThat(lastNodes()).isEmpty();
    }

    @Test
    void edit_environmentOverridesAppliedToEveryVersion() throws Exception {
        Path file = dir.resolve("gateway.yaml");
        start(file, yaml("a"), Map.of("FLOTILLA_NODES_0_URL", "http://127.0.0.1:7000"));

        Files.writeString(file, yaml("b"));

        await().atMost(WAIT).until(() -> lastNodes().equals(List.of("b")));
        assertThat(applied.getLast().nodes().get(0).url()).isEqualTo("http://127.0.0.1:7000");
    }

    @Test
    void restartNeeded_otherSectionsChanged_namedInOrder() {
        GatewayConfig running = GatewayConfig.defaults();
        GatewayConfig next = running.withListen(GatewayConfig.Listen.loopback(9))
                .withTelemetry(new GatewayConfig.Telemetry(Duration.ofSeconds(1), Duration.ofMillis(500),
                        Duration.ofMinutes(1), Duration.ofSeconds(2)))
                .withScheduling(new GatewayConfig.Scheduling("least-requests", java.util.Map.of(), java.util.Map.of(),
                        List.of()))
                .withNodes(List.of(new GatewayConfig.Node("a", "http://h:1")));

        assertThat(ConfigWatcher.restartNeeded(running, next)).containsExactly("listen", "telemetry", "scheduling");
        assertThat(ConfigWatcher.restartNeeded(running, running.withNodes(next.nodes()))).isEmpty();
    }
}
