package dev.flotilla.planner.solver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.planner.candidate.Candidate;
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
 * The greedy solver on hand-made candidates: ordering by priority, regret and value, capacity
 * accounting, and each saturation policy.
 */
class GreedySolverTest {

    /** Servers s1..s4; s1 and s2 in class P1 (priority 1), s3 and s4 in P2 (priority 2). */
    private static Problem problem(Map<String, Integer> capacity) {
        List<Accelerator> accs = List.of(Accelerator.of("A", "TA", 1, 1), Accelerator.of("B", "TB", 1, 1));
        List<ModelPerf> perfs = List.of(new ModelPerf("m", "A", 1, 8, 512, new IterationModel(1, 0.01, 0.001)),
                new ModelPerf("m", "B", 1, 8, 512, new IterationModel(1, 0.01, 0.001)));
        List<ServiceClass> classes = List.of(new ServiceClass("P1", 1, List.of(new ModelTarget("m", 50, 500, 0))),
                new ServiceClass("P2", 2, List.of(new ModelTarget("m", 50, 500, 0))));
        Load load = new Load(60, 100, 100);
        List<Server> servers = List.of(Server.of("s1", "P1", "m", load), Server.of("s2", "P1", "m", load),
                Server.of("s3", "P2", "m", load), Server.of("s4", "P2", "m", load));
        return new Problem(accs, capacity, perfs, classes, servers, OptimizerSettings.DEFAULT);
    }

    /** A candidate of {@code replicas} single-card replicas costing {@code cost}, valued as with no current allocation. */
    private static Candidate candidate(String server, String acc, int replicas, double cost) {
        return new Candidate(server, acc, "T" + acc, replicas, 8, 1, cost, 1.1 * cost, 10, 100, 1, 0.5);
    }

    private static Map<String, List<Candidate>> candidates(Candidate... all) {
        Map<String, List<Candidate>> out = new LinkedHashMap<>();
        for (Candidate c : all) {
            out.computeIfAbsent(c.server(), k -> new java.util.ArrayList<>()).add(c);
        }
        return out;
    }

    private static GreedySolver greedy(SaturationPolicy policy) {
        return new GreedySolver(policy, false);
    }

    private static String summary(Solution s) {
        StringBuilder b = new StringBuilder();
        for (Allocation a : s.allocations()) {
            b.append(a.server()).append('=').append(a.accelerator()).append('x').append(a.replicas())
                    .append(a.bestEffort() ? "(be)" : "").append(' ');
        }
        s.unallocated().keySet().forEach(u -> b.append(u).append("=none "));
        return b.toString().strip();
    }

    @Test
    void solve_enoughCapacity_eachServerGetsItsCheapestCandidate() {
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 100, "TB", 100)), candidates(
                candidate("s1", "A", 2, 20), candidate("s1", "B", 1, 15),
                candidate("s2", "A", 1, 5), candidate("s2", "B", 1, 9)));

        assertThat(summary(s)).isEqualTo("s1=Bx1 s2=Ax1 s3=none s4=none");
        assertThat(s.unallocated()).containsEntry("s3", "no accelerator meets its SLOs");
        assertThat(s.totalCost()).isEqualTo(20);
    }

    @Test
    void solve_scarceType_largerRegretTakesIt() {
        // both want A (4 cards, 4 free); s2 loses more by moving to B, so s2 goes first
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 4, "TB", 100)), candidates(
                candidate("s1", "A", 4, 40), candidate("s1", "B", 4, 44),
                candidate("s2", "A", 4, 40), candidate("s2", "B", 4, 90)));

        assertThat(summary(s)).startsWith("s1=Bx4 s2=Ax4");
    }

    @Test
    void solve_scarceType_higherPriorityFirstDespiteSmallerRegret() {
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 4, "TB", 100)), candidates(
                candidate("s1", "A", 4, 40), candidate("s1", "B", 4, 44),
                candidate("s3", "A", 4, 40), candidate("s3", "B", 4, 90)));

        assertThat(summary(s)).isEqualTo("s1=Ax4 s3=Bx4 s2=none s4=none");
    }

    @Test
    void solve_equalRegret_higherValueFirst() {
        // single candidates have unbounded regret; then the dearer one is served first
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 5)), candidates(
                candidate("s1", "A", 3, 30), candidate("s2", "A", 4, 40)));

        assertThat(summary(s)).isEqualTo("s2=Ax4 s1=none s3=none s4=none");
    }

    @Test
    void solve_failedFirstChoice_movesOnAndKeepsCapacityAccounting() {
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 6, "TB", 3)), candidates(
                candidate("s1", "A", 4, 40), candidate("s1", "B", 3, 45),
                candidate("s2", "A", 4, 40), candidate("s2", "B", 3, 60)));

        assertThat(summary(s)).startsWith("s1=Bx3 s2=Ax4");
        assertThat(s.unitsByType()).containsEntry("TA", 4).containsEntry("TB", 3);
    }

    static Stream<Arguments> saturation() {
        return Stream.of(
                Arguments.of(Named.of("None leaves both without", SaturationPolicy.NONE), false, "s1=none s2=none"),
                Arguments.of(Named.of("PriorityExhaustive fills the first", SaturationPolicy.PRIORITY_EXHAUSTIVE), false,
                        "s1=Ax5(be) s2=none"),
                Arguments.of(Named.of("RoundRobin alternates", SaturationPolicy.ROUND_ROBIN), false,
                        "s1=Ax3(be) s2=Ax2(be)"),
                Arguments.of(Named.of("PriorityRoundRobin alternates within a group", SaturationPolicy.PRIORITY_ROUND_ROBIN),
                        false, "s1=Ax3(be) s2=Ax2(be)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("saturation")
    void solve_neitherFits_bestEffortFollowsPolicy(SaturationPolicy policy, boolean delayed, String expected) {
        Solution s = new GreedySolver(policy, delayed).solve(problem(Map.of("TA", 5)), candidates(
                candidate("s1", "A", 6, 60), candidate("s2", "A", 6, 60)));

        assertThat(summary(s).replace(" s3=none s4=none", "")).isEqualTo(expected);
    }

    @Test
    void solve_noBestEffort_reasonSaysWhatWasShort() {
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of("TA", 5)), candidates(
                candidate("s1", "A", 6, 60), candidate("s2", "A", 2, 20)));

        assertThat(s.unallocated()).containsEntry("s1", "not enough capacity: its cheapest allocation needs 6 TA "
                + "cards (6 x A), 3 left; saturation policy None gives no best-effort share");
    }

    @Test
    void solve_bestEffort_costScaledToReplicasGiven() {
        Solution s = greedy(SaturationPolicy.ROUND_ROBIN).solve(problem(Map.of("TA", 5)), candidates(
                candidate("s1", "A", 6, 60), candidate("s2", "A", 6, 60)));

        assertThat(s.allocation("s1").orElseThrow().cost()).isEqualTo(30);
        assertThat(s.allocation("s2").orElseThrow().cost()).isEqualTo(20);
        assertThat(s.saturated()).isTrue();
    }

    @Test
    void solve_bestEffort_takesFirstCandidateWithAFreeReplica() {
        Solution s = greedy(SaturationPolicy.ROUND_ROBIN).solve(problem(Map.of("TA", 0, "TB", 1)), candidates(
                candidate("s1", "A", 3, 30), candidate("s1", "B", 3, 36)));

        assertThat(summary(s)).startsWith("s1=Bx1(be)");
    }

    @Test
    void solve_delayedBestEffort_lowerPriorityFitsBeforeBestEffort() {
        Map<String, List<Candidate>> c = candidates(candidate("s1", "A", 6, 60), candidate("s3", "A", 3, 30));

        Solution perGroup = new GreedySolver(SaturationPolicy.ROUND_ROBIN, false).solve(problem(Map.of("TA", 5)), c);
        Solution delayed = new GreedySolver(SaturationPolicy.ROUND_ROBIN, true).solve(problem(Map.of("TA", 5)), c);

        // per group: P1's best effort takes all 5 cards before P2 is served
        assertThat(summary(perGroup)).isEqualTo("s1=Ax5(be) s2=none s3=none s4=none");
        // delayed: P2's s3 is served in full first, s1 gets what is left
        assertThat(summary(delayed)).isEqualTo("s1=Ax2(be) s3=Ax3 s2=none s4=none");
    }

    @Test
    void solve_delayedPriorityRoundRobin_higherPriorityGroupServedFirst() {
        Map<String, List<Candidate>> c = candidates(candidate("s1", "A", 6, 60), candidate("s3", "A", 6, 60));

        Solution rr = new GreedySolver(SaturationPolicy.ROUND_ROBIN, true).solve(problem(Map.of("TA", 5)), c);
        Solution prr = new GreedySolver(SaturationPolicy.PRIORITY_ROUND_ROBIN, true).solve(problem(Map.of("TA", 5)), c);

        assertThat(summary(rr)).isEqualTo("s1=Ax3(be) s3=Ax2(be) s2=none s4=none");
        assertThat(summary(prr)).isEqualTo("s1=Ax5(be) s2=none s3=none s4=none");
    }

    @Test
    void solve_zeroReplicaCandidate_fitsWithoutCapacity() {
        Candidate idle = new Candidate("s1", "A", "TA", 0, 0, 1, 0, 0, 0, 0, 0, 0);
        Solution s = greedy(SaturationPolicy.NONE).solve(problem(Map.of()), candidates(idle));

        assertThat(s.allocation("s1").orElseThrow().replicas()).isZero();
    }

    @Test
    void unlimited_equalValues_firstListedWins() {
        Solution s = new UnlimitedSolver().solve(problem(Map.of()), candidates(
                candidate("s1", "A", 2, 20), candidate("s1", "B", 1, 20), candidate("s2", "A", 3, 30),
                candidate("s2", "B", 1, 29)));

        assertThat(summary(s)).isEqualTo("s1=Ax2 s2=Bx1 s3=none s4=none");
    }

    @Test
    void forSettings_unlimitedOrLimited_picksSolver() {
        assertThat(Solvers.forSettings(OptimizerSettings.DEFAULT.withUnlimited(true))).isInstanceOf(UnlimitedSolver.class);
        assertThat(Solvers.forSettings(OptimizerSettings.DEFAULT)).isInstanceOf(GreedySolver.class);
    }
}
