package dev.flotilla.planner.milp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the MILP allocates: servers with their candidate options, the accelerator units available
 * per type, and the settings. Construction validates everything and lists every problem at once,
 * each naming its path and value, e.g. {@code servers[2].options[0].replicas: -1 (expected: >= 0)}.
 *
 * @param servers the servers; names unique
 * @param capacity accelerator units available by type (>= 0); a type absent here is unlimited
 * @param settings objective, shortfall policy, penalties, limits
 */
public record AllocationProblem(List<ServerSpec> servers, Map<String, Integer> capacity, MilpSettings settings) {

  public AllocationProblem {
    servers = List.copyOf(Objects.requireNonNull(servers, "servers"));
    capacity = Map.copyOf(Objects.requireNonNull(capacity, "capacity"));
    Objects.requireNonNull(settings, "settings");
    List<String> problems = new ArrayList<>();
    validateServers(servers, problems);
    validateCapacity(capacity, problems);
    validateSettings(settings, servers, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid allocation problem: " + String.join("; ", problems));
    }
  }

  /** A problem with {@link MilpSettings#defaults()}. */
  public static AllocationProblem of(List<ServerSpec> servers, Map<String, Integer> capacity) {
    return new AllocationProblem(servers, capacity, MilpSettings.defaults());
  }

  /** The same servers and capacity with other settings. */
  public AllocationProblem withSettings(MilpSettings other) {
    return new AllocationProblem(servers, capacity, other);
  }

  /** Distinct priorities present, most important (lowest number) first. */
  public List<Integer> priorities() {
    Set<Integer> distinct = new TreeSet<>();
    servers.forEach(s -> distinct.add(s.priority()));
    return List.copyOf(distinct);
  }

  private static void validateServers(List<ServerSpec> servers, List<String> problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < servers.size(); i++) {
      ServerSpec server = servers.get(i);
      String path = "servers[" + i + "]";
      if (server.name().isBlank()) {
        problems.add(path + ".name: blank (expected: a non-blank name)");
      } else if (!names.add(server.name())) {
        problems.add(path + ".name: '" + server.name() + "' (expected: unique, already used by another server)");
      }
      if (server.heterogeneous() && !server.options().isEmpty()) {
        problems.add(path + ": both options and rateDemand given (expected: one of them)");
      }
      Set<String> ids = new HashSet<>();
      for (int j = 0; j < server.options().size(); j++) {
        CandidateOption option = server.options().get(j);
        String optionPath = path + ".options[" + j + "]";
        checkId(option.id(), optionPath, ids, problems);
        checkUnits(option.unitsPerReplica(), optionPath, problems);
        if (option.replicas() < 0) {
          problems.add(optionPath + ".replicas: " + option.replicas() + " (expected: >= 0)");
        }
        checkNonNegative(option.cost(), optionPath + ".cost", problems);
      }
      server.rateDemand().ifPresent(demand -> validateDemand(demand, path + ".rateDemand", problems));
      for (int j = 0; j < server.current().size(); j++) {
        Placement placement = server.current().get(j);
        String placementPath = path + ".current[" + j + "]";
        if (placement.replicas() < 0) {
          problems.add(placementPath + ".replicas: " + placement.replicas() + " (expected: >= 0)");
        }
        checkNonNegative(placement.cost(), placementPath + ".cost", problems);
      }
    }
  }

  private static void validateDemand(RateDemand demand, String path, List<String> problems) {
    if (!(demand.requiredRate() > 0) || Double.isInfinite(demand.requiredRate())) {
      problems.add(path + ".requiredRate: " + demand.requiredRate() + " (expected: a finite number > 0)");
    }
    if (demand.minReplicas() < 0) {
      problems.add(path + ".minReplicas: " + demand.minReplicas() + " (expected: >= 0)");
    }
    Set<String> ids = new HashSet<>();
    for (int j = 0; j < demand.options().size(); j++) {
      RateOption option = demand.options().get(j);
      String optionPath = path + ".options[" + j + "]";
      checkId(option.id(), optionPath, ids, problems);
      checkUnits(option.unitsPerReplica(), optionPath, problems);
      if (!(option.ratePerReplica() > 0) || Double.isInfinite(option.ratePerReplica())) {
        problems.add(optionPath + ".ratePerReplica: " + option.ratePerReplica() + " (expected: a finite number > 0)");
      }
      checkNonNegative(option.costPerReplica(), optionPath + ".costPerReplica", problems);
    }
  }

  private static void checkId(String id, String path, Set<String> seen, List<String> problems) {
    if (id.isBlank()) {
      problems.add(path + ".id: blank (expected: a non-blank id)");
    } else if (!seen.add(id)) {
      problems.add(path + ".id: '" + id + "' (expected: unique within the server)");
    }
  }

  private static void checkUnits(Map<String, Integer> units, String path, List<String> problems) {
    if (units.isEmpty()) {
      problems.add(path + ".unitsPerReplica: empty (expected: at least one accelerator type)");
    }
    units.forEach((type, count) -> {
      if (count == null || count < 1) {
        problems.add(path + ".unitsPerReplica." + type + ": " + count + " (expected: >= 1)");
      }
    });
  }

  private static void checkNonNegative(double value, String path, List<String> problems) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      problems.add(path + ": " + value + " (expected: a finite number >= 0)");
    }
  }

  private static void validateCapacity(Map<String, Integer> capacity, List<String> problems) {
    capacity.forEach((type, count) -> {
      if (count == null || count < 0) {
        problems.add("capacity." + type + ": " + count + " (expected: >= 0)");
      }
    });
  }

  private static void validateSettings(MilpSettings settings, List<ServerSpec> servers, List<String> problems) {
    if (!(settings.transitionPenaltyFactor() >= 0) || Double.isInfinite(settings.transitionPenaltyFactor())) {
      problems.add("settings.transitionPenaltyFactor: " + settings.transitionPenaltyFactor()
          + " (expected: a finite number >= 0)");
    }
    if (settings.timeLimit().isNegative() || settings.timeLimit().isZero()) {
      problems.add("settings.timeLimit: " + settings.timeLimit() + " (expected: > 0)");
    }
    settings.unservedPenalty().forEach((priority, penalty) -> {
      if (penalty == null || !(penalty >= 0) || Double.isInfinite(penalty)) {
        problems.add("settings.unservedPenalty." + priority + ": " + penalty + " (expected: a finite number >= 0)");
      }
    });
    settings.serviceFloor().ifPresent(floor -> validateFloor(floor, servers, problems));
    if (settings.objective() == PriorityObjective.WEIGHTED && settings.shortfall() != Shortfall.REQUIRE_ALL) {
      Set<Integer> missing = new TreeSet<>();
      servers.forEach(s -> {
        if (!settings.unservedPenalty().containsKey(s.priority())) {
          missing.add(s.priority());
        }
      });
      if (!missing.isEmpty()) {
        problems.add("settings.unservedPenalty: no entry for priorities " + missing
            + " (expected: WEIGHTED needs a penalty for every priority present)");
      }
    }
  }

  private static void validateFloor(ServiceFloor floor, List<ServerSpec> servers, List<String> problems) {
    floor.served().forEach((priority, count) -> {
      long present = servers.stream().filter(s -> s.priority() == priority).count();
      if (count == null || count < 0 || count > present) {
        problems.add("settings.serviceFloor.served." + priority + ": " + count + " (expected: 0 to the " + present
            + " servers of that priority)");
      }
    });
    floor.shares().forEach((priority, share) -> {
      long present = servers.stream().filter(s -> s.priority() == priority).count();
      if (share == null || !(share >= 0) || share > present + 1e-6) {
        problems.add("settings.serviceFloor.shares." + priority + ": " + share + " (expected: 0 to the " + present
            + " servers of that priority)");
      }
    });
    floor.serverShares().forEach((name, share) -> {
      if (servers.stream().noneMatch(s -> s.name().equals(name))) {
        problems.add("settings.serviceFloor.serverShares." + name + ": " + share
            + " (expected: the name of a server of the problem)");
      } else if (share == null || !(share >= 0 && share <= 1)) {
        problems.add("settings.serviceFloor.serverShares." + name + ": " + share + " (expected: 0 to 1)");
      }
    });
    if (!(floor.costCeiling() >= 0)) {
      problems.add("settings.serviceFloor.costCeiling: " + floor.costCeiling() + " (expected: >= 0)");
    }
  }
}
