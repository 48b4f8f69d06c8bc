package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.ConfigLoader;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla up --config FILE}: the user's gateway config with the local fleet merged in, and its checks. */
class UpGatewayConfigTest {
    /** What {@code up} writes for two local nodes, --port 18080, --policy round-robin. */
    private static final String UP = """
            listen:
              host: 127.0.0.1
              port: 18080
              eventLoops: 1
              shutdownGrace: 30s
            health:
              interval: 1s
              timeout: 2s
            routing:
              policy: round-robin
            nodes:
              - name: sim-h100-1
                url: http://127.0.0.1:7001
                accelerator: H100
                memoryGb: 80
              - name: sim-l4-2
                url: http://127.0.0.1:7002
            """;
    private static final List<String> LOCAL = List.of("sim-h100-1", "sim-l4-2");

    private final ConfigLoader loader = new ConfigLoader(SchedulingPlugins.builtIn());

    @TempDir
    Path dir;

    @Test
    void merge_userSectionsApply_upOwnsTheAddress_localNodesAppended() {
        String user = """
                listen:
                  port: 9999
                  eventLoops: 4
                  maxBodyBytes: 1MiB
                health:
                  interval: 250ms
                routing:
                  policy: least-requests
                dispatch:
                  hedge:
                    enabled: true
                    delay: 80ms
                nodes:
                  - name: remote-a100
                    url: http://127.0.0.2:8000
                """;
        GatewayConfig c = loader.parse(UpGatewayConfig.merge(user, UP), Map.of());

        assertThat(c.listen().port()).as("up's --port, not the file's").isEqualTo(18080);
        assertThat(c.listen().host()).isEqualTo("127.0.0.1");
        assertThat(c.listen().shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.listen().eventLoops()).as("the file's, up's only fills in").isEqualTo(4);
        assertThat(c.listen().maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(c.health().interval()).as("the file's").isEqualTo(Duration.ofMillis(250));
        assertThat(c.health().timeout()).as("up's, the file has none").isEqualTo(Duration.ofSeconds(2));
        assertThat(c.routing().policy()).as("--policy wins").isEqualTo("round-robin");
        assertThat(c.dispatch().hedge().enabled()).isTrue();
        assertThat(c.dispatch().hedge().delay()).isEqualTo(Duration.ofMillis(80));
        assertThat(c.nodes()).extracting(GatewayConfig.Node::name).containsExactly("remote-a100", "sim-h100-1", "sim-l4-2");
        assertThat(c.nodes().get(1).accelerator()).isEqualTo("H100");
    }

    @Test
    void merge_emptyFile_isUpsOwnConfig() {
        GatewayConfig merged = loader.parse(UpGatewayConfig.merge("", UP), Map.of());
        assertThat(merged).isEqualTo(loader.parse(UP, Map.of()));
    }

    @Test
    void merge_withoutPolicy_keepsTheFilesPolicy() {
        String up = UP.replace("routing:\n  policy: round-robin\n", "");
        GatewayConfig c = loader.parse(UpGatewayConfig.merge("routing:\n  policy: least-requests\n", up), Map.of());
        assertThat(c.routing().policy()).isEqualTo("least-requests");
    }

    @Test
    void check_goodFile_noProblem() throws Exception {
        Path f = Files.writeString(dir.resolve("g.yaml"), "dispatch:\n  retry:\n    maxAttempts: 1\n");
        assertThat(UpGatewayConfig.check(f, LOCAL, Map.of())).isNull();
    }

    @Test
    void check_nodeNamedLikeALocalOne_namesIt() throws Exception {
        Path f = Files.writeString(dir.resolve("g.yaml"), "nodes:\n  - name: sim-l4-2\n    url: http://127.0.0.2:1\n");
        assertThat(UpGatewayConfig.check(f, LOCAL, Map.of())).contains("sim-l4-2").contains("local node");
    }

    @Test
    void check_badValue_theLoadersMessageWithPathAndValue() throws Exception {
        Path f = Files.writeString(dir.resolve("g.yaml"), "dispatch:\n  hedge:\n    enabled: true\n    delay: soon\n");
        assertThat(UpGatewayConfig.check(f, LOCAL, Map.of())).contains("dispatch.hedge.delay").contains("soon");
    }

    @Test
    void check_notAMapping_orNotYaml_orMissing_saysSo() throws Exception {
        Path list = Files.writeString(dir.resolve("list.yaml"), "- a\n- b\n");
        assertThat(UpGatewayConfig.check(list, LOCAL, Map.of())).contains("expected a mapping");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "dispatch: [\n");
        assertThat(UpGatewayConfig.check(broken, LOCAL, Map.of())).contains("not valid YAML");
        Path listen = Files.writeString(dir.resolve("listen.yaml"), "listen: 8080\n");
        assertThat(UpGatewayConfig.check(listen, LOCAL, Map.of())).contains("listen").contains("8080");
        assertThat(UpGatewayConfig.check(dir.resolve("missing.yaml"), LOCAL, Map.of())).contains("cannot read");
    }
}
