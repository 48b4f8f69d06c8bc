package dev.flotilla.planner.milp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Named.named;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MilpSolverTest {

  private static final MilpSolver SOLVER = MilpSolver.create();
  private static final String NONE = "-";

  /** A hand-solved problem: expected status, total cost and the option(s) each server may get ("-": none). */
  record Case(AllocationProblem problem, SolveStatus status, double cost, Map<String, Set<String>> options) {}

  private static CandidateOption opt(String type, int units, int replicas, double cost) {
    return CandidateOption.of(type, type, units, replicas, cost);
  }

  private static ServerSpec server(String name, int priority, CandidateOption... options) {
    return ServerSpec.single(name, priority, List.of(options));
  }

  static Stream<Arguments> knownOptima() {
    return Stream.of(
        Arguments.of(named("unlimited capacity: each server its cheapest option", new Case(
            AllocationProblem.of(List.of(
                server("s1", 0, opt("A", 1, 2, 10), opt("B", 1, 1, 8)),
                server("s2", 1, opt("A", 1, 3, 15), opt("B", 1, 2, 16))), Map.of()),
            SolveStatus.OPTIMAL, 23, Map.of("s1", Set.of("B"), "s2", Set.of("A"))))),
        Arguments.of(named("capacity exactly binding: both fit on the cheap type", new Case(
            AllocationProblem.of(List.of(
                server("s1", 0, opt("A", 2, 1, 5), opt("B", 1, 1, 9)),
                server("s2", 0, opt("A", 1, 2, 5), opt("B", 1, 1, 9))), Map.of("A", 4)),
            SolveStatus.OPTIMAL, 10, Map.of("s1", Set.of("A"), "s2", Set.of("A"))))),
        Arguments.of(named("one unit short: the server with the smaller regret moves", new Case(
            AllocationProblem.of(List.of(
                server("s1", 0, opt("A", 1, 2, 10), opt("B", 1, 1, 11)),
                server("s2", 0, opt("A", 1, 2, 10), opt("B", 1, 1, 20))), Map.of("A", 3)),
            SolveStatus.OPTIMAL, 21, Map.of("s1", Set.of("B"), "s2", Set.of("A"))))),
        Arguments.of(named("cheapest-first would strand a server; the MILP fits both", new Case(
            AllocationProblem.of(List.of(
                server("big", 0, opt("A", 1, 3, 6), opt("B", 1, 3, 7)),
                server("small", 0, opt("A", 1, 1, 2))), Map.of("A", 3, "B", 3)),
            SolveStatus.OPTIMAL, 9, Map.of("big", Set.of("B"), "small", Set.of("A"))))),
        Arguments.of(named("multi-unit replicas: 2 units x 3 replicas do not fit in 5", new Case(
            AllocationProblem.of(List.of(
                server("s1", 0, opt("A", 2, 3, 6), opt("B", 1, 3, 9))), Map.of("A", 5)),
            SolveStatus.OPTIMAL, 9, Map.of("s1", Set.of("B"))))),
        Arguments.of(named("a multi-type replica draws on both capacities", new Case(
            AllocationProblem.of(List.of(
                ServerSpec.single("s1", 0, List.of(
                    new CandidateOption("A+B", Map.of("A", 1, "B", 1), 2, 4), opt("C", 1, 1, 10))),
                server("s2", 0, opt("B", 1, 1, 3), opt("C", 1, 1, 8))), Map.of("A", 2, "B", 2)),
            SolveStatus.OPTIMAL, 12, Map.of("s1", Set.of("A+B"), "s2", Set.of("C"))))),
        Arguments.of(named("tie on cost: either option is right", new Case(
            AllocationProblem.of(List.of(
                ServerSpec.single("s1", 0, List.of(
                    CandidateOption.of("2xM", "M", 2, 1, 130), CandidateOption.of("M", "M", 1, 2, 130)))), Map.of()),
            SolveStatus.OPTIMAL, 130, Map.of("s1", Set.of("2xM", "M"))))),
        Arguments.of(named("not everything fits: the more important server is served", new Case(
            AllocationProblem.of(List.of(
                server("free", 2, opt("A", 1, 2, 1)),
                server("premium", 0, opt("A", 1, 2, 100))), Map.of("A", 3)),
            SolveStatus.OPTIMAL, 100, Map.of("premium", Set.of("A"), "free", Set.of(NONE))))),
        Arguments.of(named("not everything fits: as many servers of a priority as possible", new Case(
            AllocationProblem.of(List.of(
                server("wide", 1, opt("A", 1, 4, 4)),
                server("n1", 1, opt("A", 1, 2, 9)),
                server("n2", 1, opt("A", 1, 2, 9))), Map.of("A", 4)),
            SolveStatus.OPTIMAL, 18, Map.of("wide", Set.of(NONE), "n1", Set.of("A"), "n2", Set.of("A"))))),
        Arguments.of(named("a server without options stays unallocated", new Case(
            AllocationProblem.of(List.of(server("lost", 0), server("s1", 1, opt("A", 1, 1, 3))), Map.of()),
            SolveStatus.OPTIMAL, 3, Map.of("lost", Set.of(NONE), "s1", Set.of("A"))))),
        Arguments.of(named("require all: infeasible when capacity is short", new Case(
            new AllocationProblem(List.of(
                server("s1", 0, opt("A", 1, 2, 1)),
                server("s2", 1, opt("A", 1, 2, 1))), Map.of("A", 3),
                MilpSettings.defaults().withShortfall(Shortfall.REQUIRE_ALL)),
            SolveStatus.INFEASIBLE, 0, Map.of()))),
        Arguments.of(named("require all: feasible when it all fits", new Case(
            new AllocationProblem(List.of(
                server("s1", 0, opt("A", 1, 2, 1), opt("B", 1, 1, 5)),
                server("s2", 1, opt("A", 1, 2, 1))), Map.of("A", 3),
                MilpSettings.defaults().withShortfall(Shortfall.REQUIRE_ALL)),
            SolveStatus.OPTIMAL, 6, Map.of("s1", Set.of("B"), "s2", Set.of("A"))))),
        Arguments.of(named("zero capacity of a type excludes it", new Case(
            AllocationProblem.of(List.of(server("s1", 0, opt("A", 1, 1, 1), opt("B", 1, 1, 2))), Map.of("A", 0)),
            SolveStatus.OPTIMAL, 2, Map.of("s1", Set.of("B"))))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("knownOptima")
  void solve_knownProblem_findsTheKnownOptimum(Case c) {
    MilpResult result = SOLVER.solve(c.problem());

    assertThat(result.status()).as(result.detail()).isEqualTo(c.status());
    if (c.status() != SolveStatus.OPTIMAL) {
      assertThat(result.allocations()).isEmpty();
      return;
    }
    assertThat(result.totalCost()).isCloseTo(c.cost(), within(1e-9));
    c.options().forEach((server, acceptable) -> {
      ServerAllocation allocation = result.allocation(server).orElseThrow();
      assertThat(allocation.optionId().orElse(NONE)).as(server).isIn(acceptable);
      assertThat(allocation.served()).as(server + " served").isEqualTo(!acceptable.contains(NONE));
    });
    result.unitsUsed().forEach((type, used) -> {
      Integer available = c.problem().capacity().get(type);
      if (available != null) {
        assertThat(used).as("units of " + type).isLessThanOrEqualTo(available);
      }
    });
  }

  @Test
  void solve_capacityExactlyBinding_usesEveryUnit() {
    MilpResult result = SOLVER.solve(AllocationProblem.of(List.of(
        server("s1", 0, opt("A", 2, 1, 5), opt("B", 1, 1, 9)),
        server("s2", 0, opt("A", 1, 2, 5), opt("B", 1, 1, 9))), Map.of("A", 4)));

    assertThat(result.unitsUsed()).containsEntry("A", 4);
  }

  @Test
  void solve_priorityBuiltCase_lexicographicAndWeightedDisagree() {
    // One important server needs 3 of the 4 units; two lesser ones need 2 each. Lexicographic
    // serves the important one whatever it costs the others; weights of 10 and 8 make serving the
    // two lesser ones (penalty 10 + cost 4 = 14) better than the important one (16 + 3 = 19).
    List<ServerSpec> servers = List.of(
        server("high", 0, opt("A", 3, 1, 3)),
        server("low1", 1, opt("A", 2, 1, 2)),
        server("low2", 1, opt("A", 2, 1, 2)));
    AllocationProblem problem = AllocationProblem.of(servers, Map.of("A", 4));

    MilpResult lexicographic = SOLVER.solve(problem);
    MilpResult weighted = SOLVER.solve(problem.withSettings(MilpSettings.defaults().weighted(Map.of(0, 10.0, 1, 8.0))));

    assertThat(lexicographic.allocation("high").orElseThrow().served()).isTrue();
    assertThat(lexicographic.servedCount(1)).isZero();
    assertThat(lexicographic.totalCost()).isEqualTo(3);
    assertThat(weighted.allocation("high").orElseThrow().served()).isFalse();
    assertThat(weighted.servedCount(1)).isEqualTo(2);
    assertThat(weighted.totalCost()).isEqualTo(4);
  }

  @Test
  void solve_serviceFloorPerServerOrPerPriority_sameServerOrCheapestOfThePriority() {
    // Two units of A; "dear" and "cheap" (same priority) need both. A reference serving "dear" at 100:
    // per server the floor keeps "dear"; per priority any one server will do, and "cheap" costs 10.
    // A best-effort "part" (3 replicas needed, one unit each, on B with 2 units) must keep 2 of 3.
    List<ServerSpec> servers = List.of(
        server("dear", 0, opt("A", 1, 2, 100)),
        server("cheap", 0, opt("A", 1, 2, 10)),
        server("part", 1, opt("B", 1, 3, 30)));
    AllocationProblem problem = new AllocationProblem(servers, Map.of("A", 2, "B", 2),
        MilpSettings.defaults().withShortfall(Shortfall.BEST_EFFORT));

    MilpResult perServer = SOLVER.solve(problem.withSettings(problem.settings().withServiceFloor(
        ServiceFloor.perServer(Map.of("dear", 1.0, "part", 2.0 / 3), 120))));
    MilpResult perPriority = SOLVER.solve(problem.withSettings(problem.settings().withServiceFloor(
        ServiceFloor.perPriority(Map.of(0, 1L), Map.of(0, 1.0, 1, 2.0 / 3), 120))));
    MilpResult tooCheap = SOLVER.solve(problem.withSettings(problem.settings().withServiceFloor(
        ServiceFloor.perServer(Map.of("dear", 1.0), 99))));

    assertThat(perServer.status()).isEqualTo(SolveStatus.OPTIMAL);
    assertThat(perServer.stages()).isEqualTo(1);
    assertThat(perServer.allocation("dear").orElseThrow().served()).isTrue();
    assertThat(perServer.allocation("part").orElseThrow().placements()).containsExactly(new Placement("B", 2, 20));
    assertThat(perServer.totalCost()).isCloseTo(120, within(1e-9));
    assertThat(perPriority.allocation("cheap").orElseThrow().served()).isTrue();
    assertThat(perPriority.allocation("dear").orElseThrow().unallocated()).isTrue();
    assertThat(perPriority.totalCost()).isCloseTo(30, within(1e-9));
    assertThat(tooCheap.status()).isEqualTo(SolveStatus.INFEASIBLE);
    assertThat(tooCheap.detail()).contains("no allocation reaches the service floor");
  }

  @Test
  void solve_weightedPenaltyBelowCost_leavesServerUnallocated() {
    AllocationProblem problem = new AllocationProblem(List.of(server("pricey", 0, opt("A", 1, 1, 50))), Map.of(),
        MilpSettings.defaults().weighted(Map.of(0, 40.0)));

    MilpResult result = SOLVER.solve(problem);

    assertThat(result.allocation("pricey").orElseThrow().unallocated()).isTrue();
    assertThat(result.totalCost()).isZero();
  }

  @Test
  void solve_heterogeneousDemand_mixesTypesBelowEverySingleType() {
    // lambda = 10; A: rate 6 at 5, B: rate 4 at 3. Only A: 2 x 5 = 10; only B: 3 x 3 = 9; 1 A + 1 B = 8.
    RateDemand demand = RateDemand.of(10, List.of(RateOption.of("A", "A", 1, 6, 5), RateOption.of("B", "B", 1, 4, 3)));

    MilpResult result = SOLVER.solve(AllocationProblem.of(List.of(ServerSpec.mix("m", 0, demand)), Map.of()));

    ServerAllocation allocation = result.allocation("m").orElseThrow();
    assertThat(allocation.replicas("A")).isEqualTo(1);
    assertThat(allocation.replicas("B")).isEqualTo(1);
    assertThat(allocation.served()).isTrue();
    assertThat(result.totalCost()).isEqualTo(8);
  }

  @Test
  void solve_heterogeneousDemandAndSharedCapacity_singleServerKeepsItsOnlyType() {
    // The single-type server can only run on A (2 units); the mix must leave it those 2 of 3.
    RateDemand demand = RateDemand.of(10, List.of(RateOption.of("A", "A", 1, 6, 5), RateOption.of("B", "B", 1, 4, 3)));
    AllocationProblem problem = AllocationProblem.of(List.of(
        ServerSpec.mix("m", 1, demand),
        server("s", 1, opt("A", 1, 2, 20))), Map.of("A", 3, "B", 2));

    MilpResult result = SOLVER.solve(problem);

    ServerAllocation mix = result.allocation("m").orElseThrow();
    assertThat(mix.replicas("A")).isEqualTo(1);
    assertThat(mix.replicas("B")).isEqualTo(1);
    assertThat(result.allocation("s").orElseThrow().served()).isTrue();
    assertThat(result.unitsUsed()).containsEntry("A", 3).containsEntry("B", 1);
    assertThat(result.totalCost()).isEqualTo(28);
  }

  @Test
  void solve_heterogeneousMinReplicas_addsReplicasBeyondTheRate() {
    RateDemand demand = new RateDemand(5, 3, List.of(RateOption.of("A", "A", 1, 6, 5), RateOption.of("B", "B", 1, 4, 3)));

    MilpResult result = SOLVER.solve(AllocationProblem.of(List.of(ServerSpec.mix("m", 0, demand)), Map.of()));

    assertThat(result.allocation("m").orElseThrow().replicas("B")).isEqualTo(3);
    assertThat(result.totalCost()).isEqualTo(9);
  }

  @Test
  void solve_bestEffort_givesLeftoverReplicasToServerThatDoesNotFit() {
    List<ServerSpec> servers = List.of(
        server("first", 0, opt("A", 1, 2, 20)),
        server("second", 1, opt("A", 1, 4, 40)));
    AllocationProblem problem = AllocationProblem.of(servers, Map.of("A", 4));

    MilpResult leave = SOLVER.solve(problem);
    MilpResult bestEffort = SOLVER.solve(problem.withSettings(MilpSettings.defaults().withShortfall(Shortfall.BEST_EFFORT)));

    assertThat(leave.allocation("second").orElseThrow().unallocated()).isTrue();
    ServerAllocation partial = bestEffort.allocation("second").orElseThrow();
    assertThat(partial.served()).isFalse();
    assertThat(partial.replicas("A")).isEqualTo(2);
    assertThat(partial.servedShare()).isEqualTo(0.5);
    assertThat(partial.cost()).isEqualTo(20);
    assertThat(bestEffort.allocation("first").orElseThrow().served()).isTrue();
    assertThat(bestEffort.totalCost()).isEqualTo(40);
  }

  @Test
  void solve_bestEffortHeterogeneous_carriesPartOfTheRate() {
    RateDemand demand = RateDemand.of(10, List.of(RateOption.of("A", "A", 1, 4, 5)));
    AllocationProblem problem = new AllocationProblem(List.of(ServerSpec.mix("m", 0, demand)), Map.of("A", 2),
        MilpSettings.defaults().withShortfall(Shortfall.BEST_EFFORT));

    ServerAllocation allocation = SOLVER.solve(problem).allocation("m").orElseThrow();

    assertThat(allocation.replicas("A")).isEqualTo(2);
    assertThat(allocation.served()).isFalse();
    assertThat(allocation.servedShare()).isCloseTo(0.8, within(1e-12));
  }

  @Test
  void solve_transitionPenalty_keepsTheCurrentAcceleratorWhenMovingCostsMore() {
    // Moving from B (11) to A (10) costs 10 + 0.1 * (11 + 10) = 12.1 > 11: stay on B.
    ServerSpec current = server("s", 0, opt("A", 1, 1, 10), opt("B", 1, 1, 11))
        .withCurrent(List.of(new Placement("B", 1, 11)));
    AllocationProblem problem = AllocationProblem.of(List.of(current), Map.of());

    MilpResult withoutPenalty = SOLVER.solve(problem);
    MilpResult withPenalty = SOLVER.solve(problem.withSettings(MilpSettings.defaults().withTransitionPenaltyFactor(0.1)));

    assertThat(withoutPenalty.allocation("s").orElseThrow().optionId()).contains("A");
    assertThat(withPenalty.allocation("s").orElseThrow().optionId()).contains("B");
    assertThat(withPenalty.totalTransitionPenalty()).isZero();
  }

  @Test
  void solve_transitionPenaltyOnForcedMove_reportsInfernosPenalty() {
    // B is gone (capacity 0): the move to A costs 0.1 * (11 + 10) on top of A's cost.
    ServerSpec current = server("s", 0, opt("A", 1, 1, 10), opt("B", 1, 1, 11))
        .withCurrent(List.of(new Placement("B", 1, 11)));
    AllocationProblem problem = new AllocationProblem(List.of(current), Map.of("B", 0),
        MilpSettings.defaults().withTransitionPenaltyFactor(0.1));

    MilpResult result = SOLVER.solve(problem);

    assertThat(result.allocation("s").orElseThrow().optionId()).contains("A");
    assertThat(result.totalTransitionPenalty()).isCloseTo(2.1, within(1e-12));
  }

  @Test
  void solve_cbcBackend_agreesWithScip() {
    AllocationProblem problem = AllocationProblem.of(List.of(
        server("s1", 0, opt("A", 1, 2, 10), opt("B", 1, 1, 11)),
        server("s2", 0, opt("A", 1, 2, 10), opt("B", 1, 1, 20))), Map.of("A", 3));

    MilpResult cbc = SOLVER.solve(problem.withSettings(MilpSettings.defaults().withBackend(MilpBackend.CBC)));

    assertThat(cbc.status()).isEqualTo(SolveStatus.OPTIMAL);
    assertThat(cbc.totalCost()).isEqualTo(21);
    assertThat(cbc.detail()).startsWith("CBC");
  }

  @Test
  void solve_lexicographicAndEveryoneFits_settlesAllPrioritiesInOneStage() {
    AllocationProblem problem = AllocationProblem.of(List.of(
        server("a", 0, opt("A", 1, 1, 1)), server("b", 3, opt("A", 1, 1, 1)), server("c", 3, opt("A", 1, 1, 1))),
        Map.of());

    MilpResult result = SOLVER.solve(problem);

    assertThat(result.stages()).isEqualTo(2);
    assertThat(result.detail()).contains("served[all]: OPTIMAL, cost: OPTIMAL");
  }

  @Test
  void solve_bestEffortAndEveryoneFits_skipsTheShareStages() {
    AllocationProblem problem = AllocationProblem.of(List.of(
        server("a", 0, opt("A", 1, 2, 2)), server("b", 3, opt("A", 1, 2, 2)), server("c", 3, opt("A", 1, 1, 1))),
        Map.of("A", 5)).withSettings(MilpSettings.defaults().withShortfall(Shortfall.BEST_EFFORT));

    MilpResult result = SOLVER.solve(problem);

    assertThat(result.stages()).isEqualTo(2);
    assertThat(result.detail()).contains("served[all]: OPTIMAL, cost: OPTIMAL").doesNotContain("share");
    assertThat(result.allocations()).allMatch(a -> a.served() && a.servedShare() == 1);
    assertThat(result.totalCost()).isEqualTo(5);
  }

  @Test
  void solve_lexicographicAndShort_solvesOneStagePerPriority() {
    AllocationProblem problem = AllocationProblem.of(List.of(
        server("a", 0, opt("A", 1, 1, 1)), server("b", 3, opt("A", 1, 1, 1)), server("c", 3, opt("A", 1, 1, 1))),
        Map.of("A", 2));

    MilpResult result = SOLVER.solve(problem);

    assertThat(result.stages()).isEqualTo(4);
    assertThat(result.detail()).contains("served[all]", "served[p=0]", "served[p=3]", "cost");
    assertThat(result.servedCount(0)).isEqualTo(1);
    assertThat(result.servedCount(3)).isEqualTo(1);
  }

  /** A ticker reading 0 for its first {@code frozenReads} reads, then 100 s later for every read. */
  private static LongSupplier jumpingTicker(int frozenReads) {
    AtomicInteger reads = new AtomicInteger();
    return () -> reads.getAndIncrement() < frozenReads ? 0 : Duration.ofSeconds(100).toNanos();
  }

  private static AllocationProblem twoPriorities() {
    return AllocationProblem.of(List.of(
        server("a", 0, opt("A", 1, 1, 5), opt("B", 1, 1, 1)), server("b", 1, opt("A", 1, 1, 1))), Map.of());
  }

  @Test
  void solve_timeLimitReachedAfterFirstStage_returnsFeasibleFirstStageSolution() {
    // reads: start, before stage 1 -> 0; before stage 2 and at the end -> 100 s (limit 60 s)
    MilpResult result = MilpSolver.create(jumpingTicker(2)).solve(twoPriorities());

    assertThat(result.status()).isEqualTo(SolveStatus.FEASIBLE);
    assertThat(result.stages()).isEqualTo(1);
    assertThat(result.allocations()).allMatch(ServerAllocation::served);
    assertThat(result.detail()).contains("cost: skipped, time limit reached");
    assertThat(result.solveTime()).isEqualTo(Duration.ofSeconds(100));
  }

  @Test
  void solve_timeLimitReachedBeforeFirstStage_returnsNotSolved() {
    MilpResult result = MilpSolver.create(jumpingTicker(1)).solve(twoPriorities());

    assertThat(result.status()).isEqualTo(SolveStatus.NOT_SOLVED);
    assertThat(result.hasSolution()).isFalse();
    assertThat(result.allocations()).isEmpty();
    assertThat(result.stages()).isZero();
  }
}
