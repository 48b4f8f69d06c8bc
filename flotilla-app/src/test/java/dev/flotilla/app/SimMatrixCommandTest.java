package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla sim matrix} in-process: a tiny matrix, its files and the check, and option errors. */
class SimMatrixCommandTest {
    private static final String FLEET = """
            model: sim-llama-2-7b
            nodes:
              - profile: A100-80G
              - profile: L4
            """;

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    @Test
    void simMatrix_tinyMatrix_writesTheFilesAndChecksOurPolicy(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("mixed.yaml"), FLEET);
        Path out = dir.resolve("out");

        CommandRun r = run("sim", "matrix", "--fleets", fleet.toString(), "--workloads", "short-chat,two-tenants",
                "--loads", "50,95", "--policies", "least-requests", "--duration", "10s", "--out", out.toString(),
                "--threads", "2", "--ours", "least-requests", "--baseline", "least-requests");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("4 cells (1 fleets x 2 workloads x 2 loads x 1 policies)", "ran 4 cells",
                "check of least-requests:");
        assertThat(r.err()).contains("capacity mixed / short-chat:", "[4/4] ");
        JsonNode cells = new ObjectMapper().readTree(out.resolve("cells.json").toFile());
        assertThat(cells).hasSize(4);
        assertThat(cells.get(0).get("fleet").asText()).isEqualTo("mixed");
        assertThat(cells.get(0).get("heterogeneous").asBoolean()).isTrue();
        assertThat(cells.get(3).get("workload").asText()).isEqualTo("two-tenants");
        assertThat(out.resolve("cells.csv")).exists();
        assertThat(out.resolve("plots/mixed--short-chat.png")).exists();
        assertThat(Files.readString(out.resolve("report.md"))).contains("## mixed / two-tenants");
        // one policy is its own best and its own baseline: the half rule at 95 % fails, nothing else
        assertThat(Files.readString(out.resolve("check.md"))).contains("2 violations", "NOT_BELOW_BASELINE")
                .doesNotContain("NOT_NEAR_BEST");
    }

    @Test
    void simMatrix_unknownWorkload_failsListingTheKnownOnes(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("f.yaml"), FLEET);

        CommandRun r = run("sim", "matrix", "--fleets", fleet.toString(), "--workloads", "chat", "--out",
                dir.resolve("o").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("workload: 'chat'", "short-chat, long-prompt, multi-turn, two-tenants");
    }

    @Test
    void simMatrix_unknownPolicy_failsBeforeRunning(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("f.yaml"), FLEET);

        CommandRun r = run("sim", "matrix", "--fleets", fleet.toString(), "--policies", "least-requests,fastest",
                "--out", dir.resolve("o").toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("fastest", "least-requests").doesNotContain("[1/");
    }

    @Test
    void sim_withoutFleet_stillFailsNamingTheOption() {
        CommandRun r = run("sim", "--synthetic", "rate=1,duration=1s");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--fleet");
    }

    @Test
    void sim_withoutWorkload_stillFailsNamingBoth(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("f.yaml"), FLEET);

        CommandRun r = run("sim", "--fleet", fleet.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--trace", "--synthetic");
    }
}
