package dev.flotilla.planner.milp;

import java.util.List;
import java.util.Objects;

/**
 * The heterogeneous form of a server's demand (Mélange's idea applied per server): instead of one
 * complete candidate, the server takes any whole number of replicas of each option, as long as
 * their rates add up to {@code requiredRate} and there are at least {@code minReplicas} of them.
 * Serving a mix assumes the router splits the load in proportion to each replica's rate.
 *
 * @param requiredRate the server's total load to carry (> 0), in the unit of the options' rates
 * @param minReplicas the least number of replicas in total (>= 0), Inferno's {@code minNumReplicas}
 * @param options the accelerator configurations to mix; ids unique
 */
public record RateDemand(double requiredRate, int minReplicas, List<RateOption> options) {

  public RateDemand {
    options = List.copyOf(Objects.requireNonNull(options, "options"));
  }

  /** A demand with no minimum number of replicas. */
  public static RateDemand of(double requiredRate, List<RateOption> options) {
    return new RateDemand(requiredRate, 0, options);
  }
}
