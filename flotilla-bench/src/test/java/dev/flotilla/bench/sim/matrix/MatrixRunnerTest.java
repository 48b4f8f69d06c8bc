package dev.flotilla.bench.sim.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny matrix: one A100 and one L4 (heterogeneous), short chat at 50 % and 110 %, 20 s each,
 * least-requests against the built-in round-robin profile, on two threads.
 */
class MatrixRunnerTest {

    /** The gateway's plugins: round-robin is its built-in profile (nodes in turn, whatever their load or speed). */
    static final SchedulingPlugins PLUGINS = SchedulingPlugins.builtIn();
    static final List<String> POLICIES = List.of("least-requests", "round-robin");
    static final MatrixSpec SPEC = new MatrixSpec(
            List.of(new MatrixSpec.NamedFleet("a100+l4", FleetSpec.of(FleetSpec.DEFAULT_MODEL, List.of(
                    FleetSpec.NodeGroup.of(AcceleratorProfile.A100_80G, 1), FleetSpec.NodeGroup.of(AcceleratorProfile.L4, 1))))),
            List.of(SimWorkload.SHORT_CHAT), List.of(50.0, 110.0), POLICIES, 20, 7, new Slo(null, 200.0, null));

    static MatrixRunner.MatrixResult result;
    static final List<String> progress = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void run() {
        result = new MatrixRunner(SimulatorFactory.of(PLUGINS), 2, progress::add).run(SPEC);
    }

    @Test
    void run_tinyMatrix_oneCellPerLoadAndPolicyInSpecOrder() {
        assertThat(result.cells()).extracting(c -> c.load() + " " + c.policy())
                .containsExactly("50.0 least-requests", "50.0 round-robin", "110.0 least-requests", "110.0 round-robin");
        assertThat(result.cells()).allSatisfy(c -> {
            assertThat(c.fleet()).isEqualTo("a100+l4");
            assertThat(c.heterogeneous()).isTrue();
            assertThat(c.completed() + c.failed()).isEqualTo(c.requests());
            // the workload's own TTFT objective, the override's ITL objective
            assertThat(c.sloTtftMs()).isEqualTo(SimWorkload.SHORT_CHAT.slo().ttftMs());
            assertThat(c.sloItlMs()).isEqualTo(200.0);
            assertThat(c.goodput()).isBetween(0.0, c.requestThroughput());
        });
        assertThat(progress).hasSize(1 + 4).first().asString().startsWith("capacity a100+l4 / short-chat:");
        assertThat(progress).filteredOn(l -> l.startsWith("[")).hasSize(4);
    }

    @Test
    void run_everyPolicyOfALoad_getsTheSameTrace() {
        Map<Double, List<CellResult>> byLoad = result.cells().stream()
                .collect(Collectors.groupingBy(CellResult::load));
        for (List<CellResult> group : byLoad.values()) {
            CellResult first = group.getFirst();
            assertThat(group).allSatisfy(c -> {
                assertThat(c.requests()).isEqualTo(first.requests());
                assertThat(c.offeredPromptTokens()).isEqualTo(first.offeredPromptTokens());
                assertThat(c.offeredMaxTokens()).isEqualTo(first.offeredMaxTokens());
                assertThat(c.offeredRate()).isEqualTo(first.offeredRate());
            });
        }
        CellResult half = byLoad.get(50.0).getFirst();
        CellResult over = byLoad.get(110.0).getFirst();
        assertThat(over.offeredRate()).isEqualTo(half.offeredRate() * 110 / 50, org.assertj.core.data.Offset.offset(1e-9));
        assertThat((double) over.requests() / half.requests()).isBetween(1.9, 2.5);
    }

    @Test
    void run_heterogeneousFleetAtOverload_roundRobinQueuesOnTheSlowNode() {
        CellResult leastRequests = result.cells().get(2);
        CellResult roundRobin = result.cells().get(3);

        // half of 110 % goes to the L4, which has about a sixth of the capacity
        assertThat(roundRobin.p99TtftMs()).isGreaterThan(2 * leastRequests.p99TtftMs());
    }

    @Test
    void run_samePolicyTwice_sameFigures() {
        MatrixRunner.MatrixResult again = new MatrixRunner(SimulatorFactory.of(PLUGINS), 1, line -> { }).run(SPEC);

        assertThat(again.cells()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("wallSeconds")
                .containsExactlyElementsOf(result.cells());
    }

    @Test
    void run_unknownPolicy_failsBeforeRunningNamingTheKnownOnes() {
        MatrixSpec spec = new MatrixSpec(SPEC.fleets(), SPEC.workloads(), SPEC.loads(), List.of("least-requests", "nope"),
                20, 7, Slo.NONE);
        List<String> lines = new ArrayList<>();

        assertThatThrownBy(() -> new MatrixRunner(SimulatorFactory.of(PLUGINS), 1, lines::add).run(spec))
                .hasMessageContaining("nope").hasMessageContaining("least-requests");
        assertThat(lines).isEmpty();
    }

    @Test
    void write_tinyMatrix_writesCsvJsonReportPlotAndCheck(@TempDir Path dir) throws Exception {
        List<Path> written = MatrixFiles.write(dir, result, PolicyCheck.of("least-requests", "round-robin"));

        assertThat(written).contains(dir.resolve("cells.csv"), dir.resolve("cells.json"), dir.resolve("report.md"),
                dir.resolve("check.md"), dir.resolve("plots/a100+l4--short-chat.png"));
        List<String> csv = Files.readAllLines(dir.resolve("cells.csv"));
        assertThat(csv).hasSize(1 + 4);
        assertThat(csv.getFirst()).startsWith("fleet,heterogeneous,workload,load_percent,policy,");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("cells.json").toFile());
        assertThat(json).hasSize(4);
        assertThat(json.get(3).get("policy").asText()).isEqualTo("round-robin");
        assertThat(json.get(3).get("p99_ttft_ms").asDouble()).isEqualTo(result.cells().get(3).p99TtftMs());
        String report = Files.readString(dir.resolve("report.md"));
        assertThat(report).contains("## a100+l4 / short-chat", "| load | metric | least-requests | round-robin |",
                "| p99 TTFT (ms) |", "![p99 TTFT against load, a100+l4 / short-chat](plots/a100+l4--short-chat.png)");
        // the best p99 TTFT at 110 % is least-requests': bold, and round-robin's shows its ratio
        String p99Row = report.lines().filter(l -> l.contains("p99 TTFT")).toList().get(1);
        assertThat(p99Row).containsPattern("\\| \\*\\*[0-9.]+\\*\\* \\| [0-9.]+ \\([0-9.]+x\\) \\|$");
        byte[] png = Files.readAllBytes(dir.resolve("plots/a100+l4--short-chat.png"));
        assertThat(png).startsWith(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThat(Files.readString(dir.resolve("check.md"))).startsWith("# Check of `least-requests`");
    }
}
