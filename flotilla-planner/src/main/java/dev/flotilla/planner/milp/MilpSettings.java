package dev.flotilla.planner.milp;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the MILP treats priorities, servers that do not fit, and moves away from the current
 * deployment. {@link #defaults()}: lexicographic priorities, leave unallocated, no transition
 * penalty, 60 s time limit, SCIP.
 *
 * @param objective how priorities enter the objective
 * @param shortfall what happens to servers that do not fit
 * @param unservedPenalty for {@link PriorityObjective#WEIGHTED}: the penalty per unserved server
 *     (times its unserved share) by priority; every priority present needs an entry (>= 0)
 * @param transitionPenaltyFactor Inferno's {@code AccelPenaltyFactor} (it uses 0.1): moving a
 *     server off an option costs this factor times the cost of the replicas dropped plus the cost
 *     of the replicas added on options it did not use; 0 turns the penalty off (>= 0)
 * @param timeLimit wall-clock budget for the whole solve, all stages together (> 0)
 * @param backend the MILP engine
 * @param serviceFloor levels of service per priority and a cost ceiling every solution must meet;
 *     with {@link PriorityObjective#LEXICOGRAPHIC} they replace the count and share stages (one
 *     cost stage then). Empty by default
 */
public record MilpSettings(
    PriorityObjective objective,
    Shortfall shortfall,
    Map<Integer, Double> unservedPenalty,
    double transitionPenaltyFactor,
    Duration timeLimit,
    MilpBackend backend,
    Optional<ServiceFloor> serviceFloor) {

  public MilpSettings {
    Objects.requireNonNull(objective, "objective");
    Objects.requireNonNull(shortfall, "shortfall");
    unservedPenalty = Map.copyOf(Objects.requireNonNull(unservedPenalty, "unservedPenalty"));
    Objects.requireNonNull(timeLimit, "timeLimit");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(serviceFloor, "serviceFloor");
  }

  /** Lexicographic priorities, leave unallocated, no transition penalty, 60 s, SCIP. */
  public static MilpSettings defaults() {
    return new MilpSettings(
        PriorityObjective.LEXICOGRAPHIC, Shortfall.LEAVE_UNALLOCATED, Map.of(), 0.0, Duration.ofSeconds(60), MilpBackend.SCIP,
        Optional.empty());
  }

  /** These settings with the weighted objective and the given penalties per priority. */
  public MilpSettings weighted(Map<Integer, Double> penaltyByPriority) {
    return new MilpSettings(
        PriorityObjective.WEIGHTED, shortfall, penaltyByPriority, transitionPenaltyFactor, timeLimit, backend, serviceFloor);
  }

  /** These settings with another shortfall policy. */
  public MilpSettings withShortfall(Shortfall policy) {
    return new MilpSettings(objective, policy, unservedPenalty, transitionPenaltyFactor, timeLimit, backend, serviceFloor);
  }

  /** These settings with another transition penalty factor. */
  public MilpSettings withTransitionPenaltyFactor(double factor) {
    return new MilpSettings(objective, shortfall, unservedPenalty, factor, timeLimit, backend, serviceFloor);
  }

  /** These settings with another time limit. */
  public MilpSettings withTimeLimit(Duration limit) {
    return new MilpSettings(objective, shortfall, unservedPenalty, transitionPenaltyFactor, limit, backend, serviceFloor);
  }

  /** These settings with another backend. */
  public MilpSettings withBackend(MilpBackend engine) {
    return new MilpSettings(objective, shortfall, unservedPenalty, transitionPenaltyFactor, timeLimit, engine, serviceFloor);
  }

  /**
   * These settings with a service floor: the lexicographic count and share stages give way to the
   * floor's levels as constraints, and one stage minimises cost plus transition penalty under them
   * and under the floor's cost ceiling.
   */
  public MilpSettings withServiceFloor(ServiceFloor floor) {
    return new MilpSettings(objective, shortfall, unservedPenalty, transitionPenaltyFactor, timeLimit, backend,
        Optional.of(floor));
  }
}
