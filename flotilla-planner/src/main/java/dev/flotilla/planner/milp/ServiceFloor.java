package dev.flotilla.planner.milp;

import java.util.Map;
import java.util.Objects;

/**
 * Levels of service every solution of a solve must reach, and a ceiling on its cost. It answers
 * "what is the cheapest allocation serving at least what this other allocation serves": take that
 * allocation's levels and cost, and it is a feasible point, so the optimum serves at least as much
 * and costs no more. With {@link PriorityObjective#LEXICOGRAPHIC} the levels replace the count and
 * share stages: one stage minimises cost plus transition penalty under them.
 *
 * <p>Levels are shares: a served server counts 1; a best-effort single-type server its replicas over
 * the replicas its option needs; a heterogeneous one its rate over the rate it needs. Two readings:
 * {@link #perServer} keeps each named server at its share (the same servers served, the same
 * best-effort ones at least as served), {@link #perPriority} only the counts and summed shares per
 * priority (any servers of a priority may take the places).
 *
 * @param served fully served servers required per priority (>= 0; a priority left out: none)
 * @param shares summed share required per priority (finite, >= 0; a priority left out: 0)
 * @param serverShares share required per server name (0 to 1; 1 = fully served; a server left out: 0)
 * @param costCeiling the largest total cost allowed (>= 0; {@link Double#POSITIVE_INFINITY} for none)
 */
public record ServiceFloor(Map<Integer, Long> served, Map<Integer, Double> shares, Map<String, Double> serverShares,
    double costCeiling) {

  public ServiceFloor {
    served = Map.copyOf(Objects.requireNonNull(served, "served"));
    shares = Map.copyOf(Objects.requireNonNull(shares, "shares"));
    serverShares = Map.copyOf(Objects.requireNonNull(serverShares, "serverShares"));
  }

  /** Each named server at least at its share (1: fully served), at most {@code costCeiling} in total. */
  public static ServiceFloor perServer(Map<String, Double> serverShares, double costCeiling) {
    return new ServiceFloor(Map.of(), Map.of(), serverShares, costCeiling);
  }

  /** Per priority at least {@code served} servers fully served and {@code shares} in total, at most {@code costCeiling}. */
  public static ServiceFloor perPriority(Map<Integer, Long> served, Map<Integer, Double> shares, double costCeiling) {
    return new ServiceFloor(served, shares, Map.of(), costCeiling);
  }
}
