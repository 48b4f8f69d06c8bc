package dev.flotilla.planner.milp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AllocationProblemTest {

  private static final CandidateOption OK = CandidateOption.of("A", "A", 1, 1, 1);

  private static AllocationProblem problem(ServerSpec... servers) {
    return AllocationProblem.of(List.of(servers), Map.of());
  }

  static Stream<Arguments> badProblems() {
    return Stream.of(
        Arguments.of(named("negative replicas",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(CandidateOption.of("A", "A", 1, -1, 1))))),
            "servers[0].options[0].replicas: -1 (expected: >= 0)"),
        Arguments.of(named("negative cost",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(CandidateOption.of("A", "A", 1, 1, -2))))),
            "servers[0].options[0].cost: -2.0"),
        Arguments.of(named("NaN cost",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(CandidateOption.of("A", "A", 1, 1, Double.NaN))))),
            "servers[0].options[0].cost: NaN"),
        Arguments.of(named("zero units",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(CandidateOption.of("A", "MI300X", 0, 1, 1))))),
            "servers[0].options[0].unitsPerReplica.MI300X: 0 (expected: >= 1)"),
        Arguments.of(named("duplicate server",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(OK)), ServerSpec.single("s", 1, List.of(OK)))),
            "servers[1].name: 's'"),
        Arguments.of(named("duplicate option",
            (Runnable) () -> problem(ServerSpec.single("s", 0, List.of(OK, OK)))),
            "servers[0].options[1].id: 'A'"),
        Arguments.of(named("options and rate demand",
            (Runnable) () -> problem(new ServerSpec("s", 0, List.of(OK),
                Optional.of(RateDemand.of(1, List.of(RateOption.of("A", "A", 1, 1, 1)))), List.of()))),
            "servers[0]: both options and rateDemand given"),
        Arguments.of(named("zero required rate",
            (Runnable) () -> problem(ServerSpec.mix("m", 0, RateDemand.of(0, List.of(RateOption.of("A", "A", 1, 1, 1)))))),
            "servers[0].rateDemand.requiredRate: 0.0"),
        Arguments.of(named("negative rate per replica",
            (Runnable) () -> problem(ServerSpec.mix("m", 0, RateDemand.of(1, List.of(RateOption.of("A", "A", 1, -3, 1)))))),
            "servers[0].rateDemand.options[0].ratePerReplica: -3.0"),
        Arguments.of(named("negative capacity",
            (Runnable) () -> AllocationProblem.of(List.of(), Map.of("A100", -1))),
            "capacity.A100: -1 (expected: >= 0)"),
        Arguments.of(named("weighted without a penalty for a priority",
            (Runnable) () -> new AllocationProblem(List.of(ServerSpec.single("s", 4, List.of(OK))), Map.of(),
                MilpSettings.defaults().weighted(Map.of(0, 1.0)))),
            "settings.unservedPenalty: no entry for priorities [4]"),
        Arguments.of(named("zero time limit",
            (Runnable) () -> new AllocationProblem(List.of(), Map.of(), MilpSettings.defaults().withTimeLimit(Duration.ZERO))),
            "settings.timeLimit: PT0S"),
        Arguments.of(named("negative transition factor",
            (Runnable) () -> new AllocationProblem(List.of(), Map.of(),
                MilpSettings.defaults().withTransitionPenaltyFactor(-0.1))),
            "settings.transitionPenaltyFactor: -0.1"),
        Arguments.of(named("floor serving more than a priority has",
            (Runnable) () -> new AllocationProblem(List.of(ServerSpec.single("s", 2, List.of(OK))), Map.of(),
                MilpSettings.defaults().withServiceFloor(ServiceFloor.perPriority(Map.of(2, 2L), Map.of(), 10)))),
            "settings.serviceFloor.served.2: 2 (expected: 0 to the 1 servers of that priority)"),
        Arguments.of(named("floor share of an absent priority",
            (Runnable) () -> new AllocationProblem(List.of(ServerSpec.single("s", 2, List.of(OK))), Map.of(),
                MilpSettings.defaults().withServiceFloor(ServiceFloor.perPriority(Map.of(), Map.of(1, 0.5), 10)))),
            "settings.serviceFloor.shares.1: 0.5 (expected: 0 to the 0 servers of that priority)"),
        Arguments.of(named("floor with a NaN cost ceiling",
            (Runnable) () -> new AllocationProblem(List.of(), Map.of(),
                MilpSettings.defaults().withServiceFloor(ServiceFloor.perServer(Map.of(), Double.NaN)))),
            "settings.serviceFloor.costCeiling: NaN (expected: >= 0)"),
        Arguments.of(named("floor naming an unknown server",
            (Runnable) () -> new AllocationProblem(List.of(ServerSpec.single("s", 2, List.of(OK))), Map.of(),
                MilpSettings.defaults().withServiceFloor(ServiceFloor.perServer(Map.of("t", 1.0), 10)))),
            "settings.serviceFloor.serverShares.t: 1.0 (expected: the name of a server of the problem)"),
        Arguments.of(named("floor share above 1",
            (Runnable) () -> new AllocationProblem(List.of(ServerSpec.single("s", 2, List.of(OK))), Map.of(),
                MilpSettings.defaults().withServiceFloor(ServiceFloor.perServer(Map.of("s", 1.5), 10)))),
            "settings.serviceFloor.serverShares.s: 1.5 (expected: 0 to 1)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badProblems")
  void construct_badInput_namesThePathAndValue(Runnable construction, String expected) {
    assertThatThrownBy(construction::run).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(expected);
  }

  @Test
  void construct_severalProblems_listsThemAll() {
    assertThatThrownBy(() -> AllocationProblem.of(
        List.of(ServerSpec.single("", 0, List.of(CandidateOption.of("A", "A", 1, -1, 1)))), Map.of("B", -2)))
        .hasMessageContaining("servers[0].name: blank")
        .hasMessageContaining("servers[0].options[0].replicas: -1")
        .hasMessageContaining("capacity.B: -2");
  }

  @Test
  void priorities_mixedOrder_sortedMostImportantFirst() {
    AllocationProblem problem = problem(ServerSpec.single("a", 3, List.of()), ServerSpec.single("b", 0, List.of()),
        ServerSpec.single("c", 3, List.of()));

    assertThat(problem.priorities()).containsExactly(0, 3);
  }
}
