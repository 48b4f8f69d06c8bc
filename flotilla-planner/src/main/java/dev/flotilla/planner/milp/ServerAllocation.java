package dev.flotilla.planner.milp;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one server got. A served single-type server has one placement with all the replicas of its
 * chosen option; a heterogeneous one may have several; an unallocated server has none. Under
 * {@link Shortfall#BEST_EFFORT} a server that did not fit may hold fewer replicas than it needs:
 * {@code served} is then false and {@code servedShare} says how much of its demand it carries.
 *
 * @param server the server's name
 * @param priority the server's priority
 * @param placements replicas per option
 * @param served whether the server's whole demand is met
 * @param servedShare share of the demand met, in [0, 1]: replicas over needed replicas for a
 *     single-type server, provided rate over required rate for a heterogeneous one
 * @param cost cost of the placements
 * @param transitionPenalty the penalty this allocation incurs against the server's current one
 */
public record ServerAllocation(
    String server,
    int priority,
    List<Placement> placements,
    boolean served,
    double servedShare,
    double cost,
    double transitionPenalty) {

  public ServerAllocation {
    Objects.requireNonNull(server, "server");
    placements = List.copyOf(Objects.requireNonNull(placements, "placements"));
  }

  /** Whether the server holds no replicas at all. */
  public boolean unallocated() {
    return placements.isEmpty();
  }

  /** The option of a single-type server's placement; empty when it got nothing. */
  public Optional<String> optionId() {
    return placements.isEmpty() ? Optional.empty() : Optional.of(placements.getFirst().optionId());
  }

  /** Replicas across all placements. */
  public int replicas() {
    return placements.stream().mapToInt(Placement::replicas).sum();
  }

  /** Replicas placed on the given option (0 when none). */
  public int replicas(String optionId) {
    return placements.stream().filter(p -> p.optionId().equals(optionId)).mapToInt(Placement::replicas).sum();
  }
}
