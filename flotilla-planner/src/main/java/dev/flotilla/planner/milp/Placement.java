package dev.flotilla.planner.milp;

import java.util.Objects;

/**
 * Replicas of one option given to a server, with their cost: an element of a solution, and of a
 * server's current deployment when the transition penalty is used.
 *
 * @param optionId the {@link CandidateOption#id()} or {@link RateOption#id()}
 * @param replicas number of replicas (>= 0)
 * @param cost cost of these replicas (>= 0)
 */
public record Placement(String optionId, int replicas, double cost) {

  public Placement {
    Objects.requireNonNull(optionId, "optionId");
  }
}
