package dev.flotilla.planner.milp;

import java.util.Map;
import java.util.Objects;

/**
 * Levels of service a lexicographic solve must reach instead of maximising them, and a ceiling on
 * its cost: per priority at least {@code served} servers fully served and a summed served share of
 * at least {@code shares} (a served server counts 1; a best-effort single-type server its replicas
 * over the replicas it needs; a heterogeneous one its rate over the rate it needs), and a total cost
 * of at most {@code costCeiling}. With a floor the solve is one stage: least cost plus transition
 * penalty subject to the floor. It answers "what is the cheapest allocation serving at least what
 * this other allocation serves": take the levels and cost of that allocation, and it is a feasible
 * point, so the optimum serves at least as much and costs no more.
 *
 * @param served fully served servers required per priority (>= 0; a priority left out: none)
 * @param shares summed served share required per priority (finite, >= 0; a priority left out: 0)
 * @param costCeiling the largest total cost allowed (>= 0; {@link Double#POSITIVE_INFINITY} for none)
 */
public record ServiceFloor(Map<Integer, Long> served, Map<Integer, Double> shares, double costCeiling) {

  public ServiceFloor {
    served = Map.copyOf(Objects.requireNonNull(served, "served"));
    shares = Map.copyOf(Objects.requireNonNull(shares, "shares"));
  }
}
