package dev.flotilla.planner.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.io.PlanTable;
import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.io.SolutionJson;
import dev.flotilla.planner.milp.AllocationProblem;
import dev.flotilla.planner.milp.CandidateOption;
import dev.flotilla.planner.milp.Placement;
import dev.flotilla.planner.milp.ServerSpec;
import dev.flotilla.planner.milp.Shortfall;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
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

/** The adapter from the Inferno core to the MILP and back: mapping, mixes, output. */
class MilpPlanSolverTest {

    private static final MilpPlanSolver MILP = MilpPlanSolver.singleType();
    private static final MilpPlanSolver HETERO = MilpPlanSolver.heterogeneous();

    private static Problem example() {
        try {
            return ProblemReader.read(Path.of(Objects.requireNonNull(
                    MilpPlanSolverTest.class.getResource("/planner/example.yaml")).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ServerSpec spec(AllocationProblem p, String name) {
        return p.servers().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static CandidateOption option(ServerSpec s, String id) {
        return s.options().stream().filter(o -> o.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void toAllocationProblem_example_prioritiesUnitsCapacityCurrentAndPolicy() {
        Problem p = example();
        Map<String, List<Candidate>> cs = Candidates.all(p);

        AllocationProblem ap = MILP.toAllocationProblem(p, cs);

        ServerSpec llama = spec(ap, "premium-llama");
        assertThat(llama.priority()).isEqualTo(1);
        assertThat(spec(ap, "free-llama").priority()).isEqualTo(3);
        assertThat(llama.options()).extracting(CandidateOption::id)
                .containsExactlyElementsOf(cs.get("premium-llama").stream().map(Candidate::accelerator).toList());
        ServerSpec free = spec(ap, "free-llama");
        Candidate l4 = cs.get("free-llama").stream().filter(c -> c.accelerator().equals("L4")).findFirst().orElseThrow();
        assertThat(option(free, "L4").unitsPerReplica()).isEqualTo(Map.of("L4", 2)); // acc-count 2
        assertThat(option(free, "L4").replicas()).isEqualTo(l4.replicas());
        assertThat(option(free, "L4").cost()).isEqualTo(l4.cost());
        assertThat(ap.capacity()).isEqualTo(Map.of("L4", 64, "A100", 16, "G2", 8));
        assertThat(spec(ap, "premium-granite").current()).containsExactly(new Placement("A100", 3, 120));
        assertThat(llama.current()).isEmpty();
        assertThat(ap.settings().shortfall()).isEqualTo(Shortfall.BEST_EFFORT); // round-robin
        assertThat(ap.settings().transitionPenaltyFactor()).isEqualTo(0.1);
    }

    @Test
    void toAllocationProblem_typeWithoutCapacityAndPolicyNone_noCardsAndNoBestEffort() {
        Problem p = example().withCapacity(Map.of("L4", 64));
        p = p.withOptimizer(p.optimizer().withSaturationPolicy(SaturationPolicy.NONE));

        AllocationProblem ap = MILP.toAllocationProblem(p, Candidates.all(p));

        // Inferno gives a type it does not list no cards; the MILP would read a missing type as unlimited
        assertThat(ap.capacity()).isEqualTo(Map.of("L4", 64, "A100", 0, "G2", 0));
        assertThat(ap.settings().shortfall()).isEqualTo(Shortfall.LEAVE_UNALLOCATED);
    }

    @Test
    void toAllocationProblem_unlimited_noCapacityRows() {
        Problem p = example();
        p = p.withOptimizer(p.optimizer().withUnlimited(true));

        assertThat(MILP.toAllocationProblem(p, Candidates.all(p)).capacity()).isEmpty();
    }

    @Test
    void solve_exampleWithPolicyNone_unservedServerNamesWhatWasShort() {
        Problem base = example();
        Problem p = base.withOptimizer(base.optimizer().withSaturationPolicy(SaturationPolicy.NONE));

        Solution s = MILP.solve(p, Candidates.all(p));

        assertThat(s.solver()).isEqualTo("milp");
        assertThat(s.allocation("free-llama")).isEmpty();
        assertThat(s.unallocated().get("free-llama")).startsWith("not enough capacity: its cheapest allocation needs ")
                .endsWith("; saturation policy None gives no best-effort share");
        assertThat(s.allocation("premium-llama")).isPresent();
        s.unitsByType().forEach((type, used) -> assertThat(used).isLessThanOrEqualTo(p.capacity(type)));
    }

    @Test
    void solve_exampleRoundRobin_servedServersKeepTheirCandidateFigures() {
        Problem p = example();
        Map<String, List<Candidate>> cs = Candidates.all(p);

        Solution s = MILP.solve(p, cs);

        for (Allocation a : s.allocations()) {
            assertThat(cs.get(a.server())).contains(a.candidate());
            if (!a.bestEffort()) {
                assertThat(a.replicas()).isEqualTo(a.candidate().replicas());
            }
        }
        assertThat(s.allocations()).filteredOn(Allocation::bestEffort).extracting(Allocation::server)
                .containsExactly("free-llama");
    }

    /**
     * One server, 2 requests/s: G2 replicas take 0.6/s for 23 each (4 needed alone: 92), L4 replicas
     * (2 cards each) 0.25/s for 12 (8 needed: 96); 3 x G2 + 1 x L4 carry 2.05/s for 81.
     */
    private static Problem oneServer() {
        Problem p = example();
        return p.withServers(List.of(p.server("premium-llama").orElseThrow()));
    }

    private static Map<String, List<Candidate>> handMadeCandidates() {
        return Map.of("premium-llama", List.of(
                new Candidate("premium-llama", "G2", "G2", 4, 38, 1, 92, 101.2, 20, 200, 0.6, 0.5),
                new Candidate("premium-llama", "L4", "L4", 8, 9, 2, 96, 105.6, 30, 300, 0.25, 0.5)));
    }

    @Test
    void heterogeneous_mixCheaperThanAnySingleType_twoPartsWithTheirShareOfTheLoad() {
        Problem p = oneServer();
        Server server = p.server("premium-llama").orElseThrow();

        Solution single = MILP.solve(p, handMadeCandidates());
        Solution mixed = HETERO.solve(p, handMadeCandidates());

        assertThat(single.totalCost()).isEqualTo(92);
        assertThat(mixed.solver()).isEqualTo("milp-hetero");
        assertThat(mixed.mixed("premium-llama")).isTrue();
        assertThat(mixed.allocations("premium-llama")).extracting(Allocation::accelerator, Allocation::replicas,
                Allocation::cost, Allocation::bestEffort).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("G2", 3, 69.0, false),
                        org.assertj.core.groups.Tuple.tuple("L4", 1, 12.0, false));
        assertThat(mixed.totalCost()).isEqualTo(81);
        assertThat(mixed.unitsByType()).isEqualTo(Map.of("G2", 3, "L4", 2));
        // the load splits in proportion to the replicas' rates: 2/2.05 of each replica's maximum
        double utilisation = 2.0 / 2.05;
        Allocation g2 = mixed.allocations("premium-llama").getFirst();
        double expectedItl = Candidates.analyze(p, server, p.accelerator("G2").orElseThrow(), 0.6 * utilisation)
                .orElseThrow().itl();
        assertThat(g2.itl()).isCloseTo(expectedItl, within(1e-9));
        assertThat(g2.batchSize()).isEqualTo(38);
    }

    @Test
    void heterogeneous_mix_tableRowPerAcceleratorAndJsonWithMix() {
        Problem p = oneServer();
        Solution mixed = HETERO.solve(p, handMadeCandidates());

        String table = PlanTable.render(p, mixed);
        JsonNode json = SolutionJson.toJson(p, mixed).get("allocations").get("premium-llama");

        assertThat(table).containsPattern("premium-llama +Premium +G2 +3 +38 +69 .*mix 1/2: 88% of the load")
                .containsPattern("premium-llama +Premium +L4 +1 +9 +12 .*mix 2/2: 12% of the load")
                .contains("total cost 81  (solver milp-hetero", "1 on a mix of accelerators");
        assertThat(json.get("accelerator").asText()).isEqualTo("G2+L4");
        assertThat(json.get("numReplicas").asInt()).isEqualTo(4);
        assertThat(json.get("cost").asDouble()).isEqualTo(81);
        assertThat(json.get("maxBatch").asInt()).isEqualTo(38);
        assertThat(json.get("mix")).hasSize(2);
        assertThat(json.get("mix").get(0).get("accelerator").asText()).isEqualTo("G2");
        assertThat(json.get("mix").get(0).get("numReplicas").asInt()).isEqualTo(3);
        assertThat(json.get("mix").get(1).get("accelerator").asText()).isEqualTo("L4");
        double total = json.get("mix").get(0).get("load").get("arrivalRate").asDouble()
                + json.get("mix").get(1).get("load").get("arrivalRate").asDouble();
        assertThat(total).isCloseTo(120, within(1e-3));
        double itl = (json.get("mix").get(0).get("itlAverage").asDouble() * 1.8
                + json.get("mix").get(1).get("itlAverage").asDouble() * 0.25) / 2.05;
        assertThat(json.get("itlAverage").asDouble()).isCloseTo(itl, within(itl * 1e-5));
    }

    @Test
    void heterogeneous_unlimitedExample_neverDearerThanUnlimitedSingleType() {
        Problem p = example();
        p = p.withOptimizer(p.optimizer().withUnlimited(true));
        Map<String, List<Candidate>> cs = Candidates.all(p);

        Solution mixed = HETERO.solve(p, cs);
        Solution single = new UnlimitedSolver().solve(p, cs);

        assertThat(mixed.unallocated()).isEmpty();
        assertThat(mixed.totalCost()).isLessThanOrEqualTo(single.totalCost() + 1e-9);
        for (Server s : p.servers()) {
            double provided = mixed.allocations(s.name()).stream()
                    .mapToDouble(a -> a.replicas() * a.candidate().maxRatePerReplica()).sum();
            assertThat(provided).as(s.name()).isGreaterThanOrEqualTo(Candidates.requiredRate(p, s) * (1 - 1e-6));
            assertThat(mixed.allocations(s.name()).stream().mapToInt(Allocation::replicas).sum())
                    .isGreaterThanOrEqualTo(s.minNumReplicas());
        }
    }

    /** A ticker reading 0 for its first {@code frozenReads} reads, then 100 s later (past the 60 s limit). */
    private static java.util.function.LongSupplier jumpingTicker(int frozenReads) {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        return () -> reads.getAndIncrement() < frozenReads ? 0 : java.time.Duration.ofSeconds(100).toNanos();
    }

    @Test
    void solveDetailed_timeLimitAfterFirstStage_bestFoundMarkedFeasible() {
        Problem p = example();
        Map<String, List<Candidate>> cs = Candidates.all(p);
        MilpPlanSolver limited = MilpPlanSolver.of(false, dev.flotilla.planner.milp.MilpSolver.create(jumpingTicker(2)),
                dev.flotilla.planner.milp.MilpSettings.defaults());

        MilpPlanSolver.Outcome outcome = limited.solveDetailed(p, cs);

        assertThat(outcome.result().status()).isEqualTo(dev.flotilla.planner.milp.SolveStatus.FEASIBLE);
        assertThat(outcome.solution().allocations()).isNotEmpty();
        outcome.solution().unitsByType().forEach((type, used) -> assertThat(used).isLessThanOrEqualTo(p.capacity(type)));
    }

    @Test
    void solveDetailed_timeLimitWithAnswerServingWorseThanGreedy_greedyKept() {
        // 4 cards: A (priority 1) needs 3, B and C (priority 2) need 2 each. The first stage serves
        // the most servers (B and C); the time limit stops it before priority 1 is put first.
        Problem p = ProblemReader.parseYaml("""
                accelerators: [{name: X, type: X, cost: 10}]
                capacity: {X: 4}
                models: [{name: m, accelerator: X, max-batch-size: 8, at-tokens: 512, perf: {alpha: 10, beta: 0.1, gamma: 0.001}}]
                service-classes:
                  - {name: Gold, priority: 1, model-targets: [{model: m, slo-itl: 100}]}
                  - {name: Silver, priority: 2, model-targets: [{model: m, slo-itl: 100}]}
                servers:
                  - {name: A, class: Gold, model: m, current-alloc: {load: {arrival-rate: 60, avg-in-tokens: 10, avg-out-tokens: 10}}}
                  - {name: B, class: Silver, model: m, current-alloc: {load: {arrival-rate: 60, avg-in-tokens: 10, avg-out-tokens: 10}}}
                  - {name: C, class: Silver, model: m, current-alloc: {load: {arrival-rate: 60, avg-in-tokens: 10, avg-out-tokens: 10}}}
                optimizer: {saturation-policy: none}
                """, "three.yaml");
        Map<String, List<Candidate>> cs = Map.of(
                "A", List.of(new Candidate("A", "X", "X", 3, 8, 1, 30, 33, 20, 50, 0.4, 0.5)),
                "B", List.of(new Candidate("B", "X", "X", 2, 8, 1, 20, 22, 20, 50, 0.6, 0.5)),
                "C", List.of(new Candidate("C", "X", "X", 2, 8, 1, 20, 22, 20, 50, 0.6, 0.5)));
        MilpPlanSolver limited = MilpPlanSolver.of(false, dev.flotilla.planner.milp.MilpSolver.create(jumpingTicker(2)),
                dev.flotilla.planner.milp.MilpSettings.defaults());

        MilpPlanSolver.Outcome outcome = limited.solveDetailed(p, cs);
        MilpPlanSolver.Outcome unlimitedTime = MILP.solveDetailed(p, cs);

        assertThat(outcome.result().status()).isEqualTo(dev.flotilla.planner.milp.SolveStatus.FEASIBLE);
        assertThat(outcome.greedyKept()).isTrue();
        assertThat(outcome.solution().solver()).isEqualTo("milp");
        assertThat(outcome.solution().allocatedServers()).containsExactly("A");
        // given the time, the MILP itself puts A first
        assertThat(unlimitedTime.greedyKept()).isFalse();
        assertThat(unlimitedTime.solution().allocatedServers()).containsExactly("A");
    }

    @Test
    void solve_timeLimitBeforeAnySolution_saysSo() {
        Problem p = example();
        MilpPlanSolver limited = MilpPlanSolver.of(false, dev.flotilla.planner.milp.MilpSolver.create(jumpingTicker(1)),
                dev.flotilla.planner.milp.MilpSettings.defaults());

        assertThatThrownBy(() -> limited.solve(p, Candidates.all(p))).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("milp solver: NOT_SOLVED (");
    }

    static Stream<Arguments> settings() {
        OptimizerSettings limited = OptimizerSettings.DEFAULT;
        return Stream.of(
                Arguments.of(Named.of("limited", limited), "greedy"),
                Arguments.of(Named.of("unlimited", limited.withUnlimited(true)), "unlimited"),
                Arguments.of(Named.of("milpSolver", new OptimizerSettings(false, false, true, false, false,
                        SaturationPolicy.NONE)), "milp"),
                Arguments.of(Named.of("milpSolver unlimited", new OptimizerSettings(true, false, true, false, false,
                        SaturationPolicy.NONE)), "milp"),
                Arguments.of(Named.of("heterogeneous", new OptimizerSettings(false, true, false, false, false,
                        SaturationPolicy.NONE)), "milp-hetero"),
                Arguments.of(Named.of("heterogeneous and milpSolver", new OptimizerSettings(false, true, true, false,
                        false, SaturationPolicy.NONE)), "milp-hetero"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void forSettings_infernoFlags_picksSolver(OptimizerSettings settings, String expected) {
        assertThat(Solvers.forSettings(settings).name()).isEqualTo(expected);
    }

    @Test
    void named_eachNameAndUnknown_solverOrMessageListingNames() {
        OptimizerSettings limited = OptimizerSettings.DEFAULT;
        assertThat(Solvers.NAMES.stream().map(n -> Solvers.named(n, limited).name()).toList())
                .containsExactly("greedy", "milp", "milp-same-service", "milp-hetero", "unlimited");
        assertThat(Solvers.named("greedy", limited.withUnlimited(true)).name()).isEqualTo("unlimited");
        assertThatThrownBy(() -> Solvers.named("cplex", limited)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("solver: \"cplex\" (expected one of: greedy, milp, milp-same-service, milp-hetero, unlimited)");
    }
}
