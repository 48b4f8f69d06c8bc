package dev.flotilla.planner.milp;

import java.util.Map;
import java.util.Objects;

/**
 * One accelerator configuration a heterogeneous server may add replicas of: each replica
 * sustains at most {@code ratePerReplica} while meeting the server's latency targets, costs
 * {@code costPerReplica} and uses {@code unitsPerReplica} units per accelerator type. From
 * Inferno's candidate this is its maximum arrival rate per replica and its cost divided by its
 * replicas.
 *
 * @param id the option's name within its server, e.g. the accelerator name
 * @param unitsPerReplica accelerator units one replica consumes, by accelerator type (each >= 1)
 * @param ratePerReplica the highest load one replica takes while meeting the targets (> 0), in the
 *     same unit as {@link RateDemand#requiredRate()}
 * @param costPerReplica cost of one replica (>= 0)
 */
public record RateOption(String id, Map<String, Integer> unitsPerReplica, double ratePerReplica, double costPerReplica) {

  public RateOption {
    Objects.requireNonNull(id, "id");
    unitsPerReplica = Map.copyOf(Objects.requireNonNull(unitsPerReplica, "unitsPerReplica"));
  }

  /** An option whose replicas each use {@code units} units of the single type {@code type}. */
  public static RateOption of(String id, String type, int units, double ratePerReplica, double costPerReplica) {
    return new RateOption(id, Map.of(type, units), ratePerReplica, costPerReplica);
  }
}
