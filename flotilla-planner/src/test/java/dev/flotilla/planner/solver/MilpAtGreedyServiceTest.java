package dev.flotilla.planner.solver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.milp.AllocationProblem;
import dev.flotilla.planner.milp.MilpResult;
import dev.flotilla.planner.milp.MilpSettings;
import dev.flotilla.planner.milp.MilpSolver;
import dev.flotilla.planner.milp.ServiceFloor;
import dev.flotilla.planner.milp.SolveStatus;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.perf.IterationModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code milp-same-service} ({@link MilpPlanSolver#atGreedyService()}) on a hand-made problem where
 * Inferno's greedy is suboptimal in two ways, as two independent parts sharing no accelerator type:
 *
 * <ul>
 *   <li>blocking (types TA: 5 cards, TB: 10, TC: 3): b1 has A (3 replicas, cost 3) or B (1, 200);
 *       b2 has A (4, cost 4) or C (4, cost 100, more than TC has). b1's regret is the larger, so the
 *       greedy puts it on A and b2 fits nowhere; round robin gives b2 the 2 free A cards (half its
 *       replicas, cost 2). Serving both needs b1 on B: 204.</li>
 *   <li>regret trap (types TD: 4 cards, TE: 100): t1 has D (4 replicas, cost 10) or E (1, 25); t2 and
 *       t3 have D (2, cost 10) or E (1, 24). t1's regret is the largest, so the greedy gives it all of
 *       D and t2, t3 go to E: 58. Putting t2 and t3 on D and t1 on E costs 45.</li>
 * </ul>
 *
 * So the greedy: 3 + 2 + 10 + 24 + 24 = 63, four served and b2 at half; the default MILP serves all
 * five: 204 + 45 = 249; at the greedy's service (b1, t1, t2, t3 served, b2 at least at half) the
 * least cost is 3 + 2 + 45 = 50, b2 again at half on A.
 */
class MilpAtGreedyServiceTest {

    private static final MilpPlanSolver SAME_SERVICE = MilpPlanSolver.atGreedyService();

    private static Problem problem(SaturationPolicy policy) {
        List<String> accs = List.of("A", "B", "C", "D", "E");
        List<Accelerator> accelerators = accs.stream().map(a -> Accelerator.of(a, "T" + a, 1, 1)).toList();
        List<ModelPerf> perfs = accs.stream()
                .map(a -> new ModelPerf("m", a, 1, 8, 512, new IterationModel(1, 0.01, 0.001))).toList();
        List<ServiceClass> classes = List.of(new ServiceClass("P1", 1, List.of(new ModelTarget("m", 50, 500, 0))));
        Load load = new Load(60, 100, 100);
        List<Server> servers = Stream.of("b1", "b2", "t1", "t2", "t3").map(s -> Server.of(s, "P1", "m", load)).toList();
        Map<String, Integer> capacity = Map.of("TA", 5, "TB", 10, "TC", 3, "TD", 4, "TE", 100);
        return new Problem(accelerators, capacity, perfs, classes, servers,
                OptimizerSettings.DEFAULT.withSaturationPolicy(policy));
    }

    /** {@code replicas} single-card replicas costing {@code cost}, valued as with no current allocation. */
    private static Candidate candidate(String server, String acc, int replicas, double cost) {
        return new Candidate(server, acc, "T" + acc, replicas, 8, 1, cost, 1.1 * cost, 10, 100, 1, 0.5);
    }

    private static Map<String, List<Candidate>> candidates() {
        Map<String, List<Candidate>> out = new LinkedHashMap<>();
        for (Candidate c : List.of(candidate("b1", "A", 3, 3), candidate("b1", "B", 1, 200),
                candidate("b2", "A", 4, 4), candidate("b2", "C", 4, 100),
                candidate("t1", "D", 4, 10), candidate("t1", "E", 1, 25),
                candidate("t2", "D", 2, 10), candidate("t2", "E", 1, 24),
                candidate("t3", "D", 2, 10), candidate("t3", "E", 1, 24))) {
            out.computeIfAbsent(c.server(), k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    /** Accelerator and replicas per server, e.g. {@code b2 -> A x2}. */
    private static Map<String, String> shape(Solution s) {
        Map<String, String> out = new LinkedHashMap<>();
        s.allocations().forEach(a -> out.put(a.server(), a.accelerator() + " x" + a.replicas()));
        return out;
    }

    static Stream<Arguments> policies() {
        return Stream.of(
                Arguments.of(Named.of("None", SaturationPolicy.NONE), 61.0, 48.0),
                Arguments.of(Named.of("RoundRobin", SaturationPolicy.ROUND_ROBIN), 63.0, 50.0),
                Arguments.of(Named.of("PriorityRoundRobin", SaturationPolicy.PRIORITY_ROUND_ROBIN), 63.0, 50.0),
                Arguments.of(Named.of("PriorityExhaustive", SaturationPolicy.PRIORITY_EXHAUSTIVE), 63.0, 50.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("policies")
    void solve_greedySuboptimalAtItsOwnService_sameServiceForLessCost(SaturationPolicy policy, double greedyTotal,
            double sameServiceTotal) {
        Problem p = problem(policy);
        Map<String, List<Candidate>> cs = candidates();

        Solution greedy = new GreedySolver(policy, false).solve(p, cs);
        MilpPlanSolver.Outcome outcome = SAME_SERVICE.solveDetailed(p, cs);
        Solution exact = outcome.solution();

        assertThat(greedy.totalCost()).isCloseTo(greedyTotal, within(1e-9));
        assertThat(outcome.greedyKept()).isFalse();
        assertThat(exact.solver()).isEqualTo("milp-same-service");
        assertThat(exact.totalCost()).isCloseTo(sameServiceTotal, within(1e-6));
        // the same servers served in full, the same one (if any) at the same best-effort share
        assertThat(MilpPlanSolver.floorOf(p, exact).serverShares())
                .isEqualTo(MilpPlanSolver.floorOf(p, greedy).serverShares());
        assertThat(shape(exact)).containsEntry("b1", "A x3").containsEntry("t1", "E x1").containsEntry("t2", "D x2")
                .containsEntry("t3", "D x2");
        if (policy == SaturationPolicy.NONE) {
            assertThat(exact.unallocated()).containsOnlyKeys("b2");
        } else {
            assertThat(shape(greedy)).containsEntry("b2", "A x2");
            assertThat(shape(exact)).containsEntry("b2", "A x2");
            assertThat(exact.allocation("b2").orElseThrow().bestEffort()).isTrue();
        }
    }

    @Test
    void solve_defaultMilpOnSameProblem_servesAllFiveAtHigherCost() {
        Problem p = problem(SaturationPolicy.ROUND_ROBIN);

        Solution servesMore = MilpPlanSolver.singleType().solve(p, candidates());

        // the two readings: the default serves more first (all five, 249), the variant keeps the greedy's service (50)
        assertThat(servesMore.saturated()).isFalse();
        assertThat(servesMore.totalCost()).isCloseTo(249, within(1e-6));
        assertThat(shape(servesMore)).containsEntry("b1", "B x1").containsEntry("b2", "A x4");
    }

    @Test
    void solve_greedyAlreadyOptimal_returnsAnAllocationOfTheSameCost() {
        Problem p = problem(SaturationPolicy.ROUND_ROBIN);
        Map<String, List<Candidate>> cs = candidates();
        cs.put("t1", List.of(candidate("t1", "E", 1, 25))); // no trap left: the greedy's 2 + 3 + 25 + 10 + 10 is the least

        Solution greedy = new GreedySolver(SaturationPolicy.ROUND_ROBIN, false).solve(p, cs);
        Solution exact = SAME_SERVICE.solve(p, cs);

        assertThat(greedy.totalCost()).isCloseTo(50, within(1e-9));
        assertThat(exact.totalCost()).isCloseTo(50, within(1e-6));
    }

    @Test
    void floorOf_bestEffortServer_countsReplicasOverNeeded() {
        Problem p = problem(SaturationPolicy.ROUND_ROBIN);

        Solution greedy = new GreedySolver(SaturationPolicy.ROUND_ROBIN, false).solve(p, candidates());

        assertThat(MilpPlanSolver.floorOf(p, greedy).serverShares())
                .isEqualTo(Map.of("b1", 1.0, "b2", 0.5, "t1", 1.0, "t2", 1.0, "t3", 1.0));
        assertThat(MilpPlanSolver.floorOf(p, greedy).costCeiling()).isCloseTo(63, within(1e-12));
    }

    @Test
    void solveDetailed_milpFindsNothingInTime_greedysAllocationKept() {
        Problem p = problem(SaturationPolicy.ROUND_ROBIN);
        List<AllocationProblem> seen = new ArrayList<>();
        MilpSolver outOfTime = problem -> {
            seen.add(problem);
            return new MilpResult(SolveStatus.NOT_SOLVED, List.of(), 0, 0, Map.of(), Duration.ofSeconds(60), 1,
                    "cost: NOT_SOLVED");
        };

        MilpPlanSolver.Outcome outcome = MilpPlanSolver.atGreedyService(outOfTime, MilpSettings.defaults())
                .solveDetailed(p, candidates());

        assertThat(outcome.greedyKept()).isTrue();
        assertThat(outcome.solution().solver()).isEqualTo("milp-same-service");
        assertThat(outcome.solution().totalCost()).isCloseTo(63, within(1e-9));
        // what the MILP was asked: the greedy's servers at their shares, under the greedy's total
        assertThat(seen.getFirst().settings().serviceFloor()).contains(
                ServiceFloor.perServer(Map.of("b1", 1.0, "b2", 0.5, "t1", 1.0, "t2", 1.0, "t3", 1.0), 63));
    }
}
