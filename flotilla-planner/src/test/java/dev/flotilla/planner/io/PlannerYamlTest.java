package dev.flotilla.planner.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.perf.ChunkedIterationModel;
import dev.flotilla.planner.perf.DecodePrefillModel;
import dev.flotilla.planner.perf.IterationModel;
import dev.flotilla.planner.solver.Allocation;
import dev.flotilla.planner.solver.Solution;
import dev.flotilla.planner.solver.Solvers;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Flotilla's YAML: Inferno's structure with kebab-case keys, unknown keys rejected. */
class PlannerYamlTest {

    private static final String MINIMAL = """
            accelerators:
              - {name: A100, type: A100, cost: 40}
            models:
              - name: m
                accelerator: A100
                max-batch-size: 64
                at-tokens: 512
                decode: {alpha: 20.58, beta: 0.41}
                prefill: {gamma: 164.64, delta: 0.0128125}
            service-classes:
              - name: Gold
                model-targets: [{model: m, slo-itl: 80, slo-ttft: 1000}]
            servers:
              - name: s
                class: Gold
                model: m
                current-alloc:
                  load: {arrival-rate: 60, avg-in-tokens: 128, avg-out-tokens: 1024}
            """;

    static Path example() {
        try {
            return Path.of(Objects.requireNonNull(PlannerYamlTest.class.getResource("/planner/example.yaml")).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parseYaml_minimal_defaultsAsInferno() {
        Problem p = ProblemReader.parseYaml(MINIMAL, "plan.yaml");

        assertThat(p.accelerators()).containsExactly(Accelerator.of("A100", "A100", 1, 40));
        assertThat(p.models()).containsExactly(
                new ModelPerf("m", "A100", 1, 64, 512, new DecodePrefillModel(20.58, 0.41, 164.64, 0.0128125)));
        assertThat(p.serviceClassOf(p.servers().getFirst()).priority()).isEqualTo(100);
        assertThat(p.targetOf(p.servers().getFirst())).isEqualTo(new ModelTarget("m", 80, 1000, 0));
        assertThat(p.servers()).containsExactly(new Server("s", "Gold", "m", false, 0, 0, new Load(60, 128, 1024),
                CurrentAllocation.NONE));
        assertThat(p.capacity()).isEmpty();
        assertThat(p.optimizer().unlimited()).isFalse();
        assertThat(p.optimizer().saturationPolicy()).isEqualTo(SaturationPolicy.NONE);
    }

    @Test
    void readYaml_example_everyFeatureRead() {
        Problem p = ProblemReader.read(example());

        assertThat(p.capacity()).containsExactly(Map.entry("L4", 64), Map.entry("A100", 16), Map.entry("G2", 8));
        assertThat(p.perf("llama_13b", "L4").orElseThrow())
                .isEqualTo(new ModelPerf("llama_13b", "L4", 2, 18, 512, new IterationModel(134.2, 0.58, 0.018125)));
        Server granite = p.server("premium-granite").orElseThrow();
        assertThat(granite.minNumReplicas()).isEqualTo(2);
        assertThat(granite.current()).isEqualTo(new CurrentAllocation("A100", 3, 0, 120));
        assertThat(p.targetOf(p.server("batch-granite").orElseThrow()).sloTps()).isEqualTo(1500);
        assertThat(p.optimizer().saturationPolicy()).isEqualTo(SaturationPolicy.ROUND_ROBIN);
    }

    @Test
    void solve_example_regretTransitionPenaltyAndBestEffortShow() {
        Solution s = Solvers.solve(ProblemReader.read(example()));

        // premium-llama has the larger regret and takes 7 of the 8 G2; premium-granite, which would
        // rather move to G2 (cheaper, penalty included), stays on A100; free-llama fits nowhere and
        // gets one best-effort replica on the last G2
        assertThat(s.allocations()).extracting(a -> a.server() + "=" + a.accelerator() + "x" + a.replicas()
                + (a.bestEffort() ? "(be)" : "")).containsExactly("premium-llama=G2x7", "premium-granite=A100x2",
                        "free-llama=G2x1(be)", "batch-granite=A100x2");
        assertThat(s.totalCost()).isEqualTo(161 + 80 + 23 + 80);
        assertThat(s.unitsByType()).containsEntry("G2", 8).containsEntry("A100", 4);
        assertThat(s.allocation("free-llama").map(Allocation::cost)).contains(23.0);
    }

    @Test
    void parseYaml_perfWithTokenBudget_chunkedModel() {
        Problem p = ProblemReader.parseYaml(MINIMAL.replace("""
                    decode: {alpha: 20.58, beta: 0.41}
                    prefill: {gamma: 164.64, delta: 0.0128125}
                """, """
                    perf: {alpha: 20.58, beta: 0.041, gamma: 0.00128, max-num-tokens: 2048}
                """) + "capacity: {A100: 4}\n", "plan.yaml");

        assertThat(p.models().getFirst().perf()).isEqualTo(new ChunkedIterationModel(20.58, 0.041, 0.00128, 2048));
        assertThat(Solvers.solve(p).allocations()).hasSize(1);
    }

    @Test
    void parseYaml_capacityAsInfernoList_accepted() {
        Problem p = ProblemReader.parseYaml(MINIMAL + "capacity: [{type: A100, count: 3}]\n", "plan.yaml");

        assertThat(p.capacity()).containsExactly(Map.entry("A100", 3));
    }

    static Stream<Arguments> badYaml() {
        return Stream.of(
                Arguments.of(Named.of("misspelt key", MINIMAL.replace("arrival-rate", "arival-rate")),
                        "plan.yaml: servers[0] \"s\": current-alloc.load.arival-rate: unknown key (expected one of: "
                                + "arrival-rate, avg-in-tokens, avg-out-tokens)"),
                Arguments.of(Named.of("Inferno spelling in YAML", MINIMAL.replace("max-batch-size", "maxBatchSize")),
                        "plan.yaml: models[0].maxBatchSize: unknown key (expected one of: name, accelerator, acc-count, "
                                + "max-batch-size, at-tokens, decode, prefill, perf)"),
                Arguments.of(Named.of("negative rate", MINIMAL.replace("arrival-rate: 60", "arrival-rate: -1")),
                        "plan.yaml: servers[0] \"s\": current-alloc.load.arrival-rate: -1 (expected: a finite number >= 0)"),
                Arguments.of(Named.of("not a number", MINIMAL.replace("cost: 40", "cost: forty")),
                        "plan.yaml: accelerators[0] \"A100\": cost: \"forty\" (expected: a number)"),
                Arguments.of(Named.of("class naming an unknown model", MINIMAL.replace("{model: m,", "{model: x,")),
                        "plan.yaml: service-classes[0] \"Gold\": model-targets[0].model: \"x\" (expected: a model with "
                                + "performance data, one of [m])"),
                Arguments.of(Named.of("unknown accelerator", MINIMAL.replace("accelerator: A100", "accelerator: H100")),
                        "plan.yaml: models[0] \"m on H100\": accelerator: \"H100\" (expected: the name of an "
                                + "accelerator, one of [A100])"),
                Arguments.of(Named.of("negative capacity", MINIMAL + "capacity: {A100: -2}\n"),
                        "plan.yaml: capacity[type \"A100\"]: count: -2 (expected: >= 0)"),
                Arguments.of(Named.of("unknown policy", MINIMAL + "optimizer: {saturation-policy: fair}\n"),
                        "plan.yaml: optimizer.saturation-policy: \"fair\" (expected one of: none, priority-exhaustive, "
                                + "priority-round-robin, round-robin)"),
                Arguments.of(Named.of("unknown section", MINIMAL + "gpus: []\n"),
                        "plan.yaml: gpus: unknown key (expected one of: accelerators, capacity, models, service-classes, "
                                + "servers, optimizer)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badYaml")
    void parseYaml_badInput_namesEntryAndFieldInYamlSpelling(String yaml, String expected) {
        assertThatThrownBy(() -> ProblemReader.parseYaml(yaml, "plan.yaml"))
                .isInstanceOfSatisfying(PlannerInputException.class, e -> assertThat(e.problems()).contains(expected));
    }

    @Test
    void parseYaml_malformed_namesLine() {
        assertThatThrownBy(() -> ProblemReader.parseYaml("servers:\n  - name: [\n", "plan.yaml"))
                .isInstanceOf(PlannerInputException.class).hasMessageStartingWith("plan.yaml: not valid YAML at line ");
    }

    @Test
    void parseYaml_policySpellings_bothAccepted() {
        List<String> spellings = List.of("priority-round-robin", "PriorityRoundRobin", "PRIORITY_ROUND_ROBIN");
        for (String s : spellings) {
            Problem p = ProblemReader.parseYaml(MINIMAL + "optimizer: {saturation-policy: " + s + "}\n", "plan.yaml");
            assertThat(p.optimizer().saturationPolicy()).as(s).isEqualTo(SaturationPolicy.PRIORITY_ROUND_ROBIN);
        }
    }
}
