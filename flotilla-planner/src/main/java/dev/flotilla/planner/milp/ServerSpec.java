package dev.flotilla.planner.milp;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A server to allocate (in Inferno: one model for one service class). It is either
 * <em>single-type</em>, choosing at most one of its complete {@code options}, or
 * <em>heterogeneous</em>, mixing replicas of several accelerator types to meet a {@link
 * RateDemand}; never both.
 *
 * @param name unique server name
 * @param priority its importance; a lower number is more important (as Inferno's service classes)
 * @param options the complete candidates of a single-type server; empty for a heterogeneous one
 *     (and for a server nothing can host)
 * @param rateDemand present for a heterogeneous server
 * @param current the server's deployment now, empty when it has none; only the transition
 *     penalty reads it
 */
public record ServerSpec(
    String name, int priority, List<CandidateOption> options, Optional<RateDemand> rateDemand, List<Placement> current) {

  public ServerSpec {
    Objects.requireNonNull(name, "name");
    options = List.copyOf(Objects.requireNonNull(options, "options"));
    Objects.requireNonNull(rateDemand, "rateDemand");
    current = List.copyOf(Objects.requireNonNull(current, "current"));
  }

  /** A single-type server choosing at most one of {@code options}. */
  public static ServerSpec single(String name, int priority, List<CandidateOption> options) {
    return new ServerSpec(name, priority, options, Optional.empty(), List.of());
  }

  /** A heterogeneous server mixing replicas of the demand's options. */
  public static ServerSpec mix(String name, int priority, RateDemand demand) {
    return new ServerSpec(name, priority, List.of(), Optional.of(demand), List.of());
  }

  /** The same server with its current deployment (for the transition penalty). */
  public ServerSpec withCurrent(List<Placement> currentPlacements) {
    return new ServerSpec(name, priority, options, rateDemand, currentPlacements);
  }

  /** Whether this server mixes accelerator types. */
  public boolean heterogeneous() {
    return rateDemand.isPresent();
  }
}
