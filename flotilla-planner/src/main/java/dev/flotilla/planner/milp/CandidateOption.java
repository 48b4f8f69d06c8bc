package dev.flotilla.planner.milp;

import java.util.Map;
import java.util.Objects;

/**
 * One complete way to run a server on one accelerator: {@code replicas} replicas, each using
 * {@code unitsPerReplica} units per accelerator type, at total cost {@code cost}. Inferno's
 * candidate allocation (accelerator, replicas, cost) maps onto it one to one; a replica of a
 * multi-card accelerator such as {@code 2xMI300X} counts as two {@code MI300X} units.
 *
 * @param id the option's name within its server, e.g. the accelerator name {@code "2xMI300X"}
 * @param unitsPerReplica accelerator units one replica consumes, by accelerator type (each >= 1)
 * @param replicas replicas this option needs to meet the server's targets (>= 0)
 * @param cost total cost of the option for all its replicas (>= 0)
 */
public record CandidateOption(String id, Map<String, Integer> unitsPerReplica, int replicas, double cost) {

  public CandidateOption {
    Objects.requireNonNull(id, "id");
    unitsPerReplica = Map.copyOf(Objects.requireNonNull(unitsPerReplica, "unitsPerReplica"));
  }

  /** An option whose replicas each use {@code units} units of the single type {@code type}. */
  public static CandidateOption of(String id, String type, int units, int replicas, double cost) {
    return new CandidateOption(id, Map.of(type, units), replicas, cost);
  }

  /** Cost of one replica; zero for an option of zero replicas. */
  public double costPerReplica() {
    return replicas == 0 ? 0 : cost / replicas;
  }
}
