package dev.flotilla.planner.milp;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPVariable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The variables and constraints of an {@link AllocationProblem} in one {@link MPSolver}, the
 * objectives of the solve stages, and the reading of a solution back into allocations. The
 * formulation is documented in {@code docs/planner-milp.md}; the names here follow it.
 */
final class AllocationModel {

  /** Relative shortfall of a heterogeneous server's rate still read as served (solver tolerance). */
  private static final double RATE_TOLERANCE = 1e-6;

  /** Room on a floor's share (see {@link #addFloorConstraints}). */
  private static final double FLOOR_SHARE_SLACK = 1e-6;

  /** Relative room on a floor's cost ceiling. */
  private static final double FLOOR_COST_SLACK = 1e-9;

  private final AllocationProblem problem;
  private final MPSolver solver;
  private final boolean bestEffort;
  private final List<ServerVars> servers = new ArrayList<>();

  AllocationModel(AllocationProblem problem, MPSolver solver) {
    this.problem = problem;
    this.solver = solver;
    this.bestEffort = problem.settings().shortfall() == Shortfall.BEST_EFFORT;
    boolean requireAll = problem.settings().shortfall() == Shortfall.REQUIRE_ALL;
    List<ServerSpec> specs = problem.servers();
    for (int i = 0; i < specs.size(); i++) {
      ServerSpec spec = specs.get(i);
      MPVariable served = solver.makeIntVar(requireAll ? 1 : 0, 1, "a_" + i);
      ServerVars vars = spec.heterogeneous() ? mixServer(i, spec, served) : singleServer(i, spec, served);
      servers.add(vars);
    }
    addCapacityConstraints();
    problem.settings().serviceFloor().ifPresent(this::addFloorConstraints);
  }

  /** One of a server's options in the model: replicas = replicaCoef * replicaVar. */
  private record OptionVars(
      String id,
      Map<String, Integer> units,
      MPVariable chosen,
      MPVariable replicaVar,
      double replicaCoef,
      double costCoef,
      double shareCoef,
      int neededReplicas,
      double fullCost,
      double ratePerReplica,
      double costPerReplica) {}

  private record ServerVars(ServerSpec spec, MPVariable served, MPVariable share, List<OptionVars> options) {}

  private ServerVars singleServer(int i, ServerSpec spec, MPVariable served) {
    List<OptionVars> options = new ArrayList<>();
    MPConstraint oneOption = solver.makeConstraint(0, bestEffort ? 1 : 0, "choose_" + i);
    MPVariable share = served;
    MPConstraint shareDefinition = null;
    if (bestEffort) {
      share = solver.makeNumVar(0, 1, "f_" + i);
      shareDefinition = solver.makeConstraint(0, 0, "share_" + i);
      shareDefinition.setCoefficient(share, -1);
      MPConstraint servedNeedsFullShare = solver.makeConstraint(-MPSolver.infinity(), 0, "full_" + i);
      servedNeedsFullShare.setCoefficient(served, 1);
      servedNeedsFullShare.setCoefficient(share, -1);
    } else {
      // served == number of chosen options, and at most one can be chosen
      oneOption.setCoefficient(served, -1);
    }
    for (int o = 0; o < spec.options().size(); o++) {
      CandidateOption option = spec.options().get(o);
      MPVariable chosen = solver.makeBoolVar("x_" + i + "_" + o);
      oneOption.setCoefficient(chosen, 1);
      int needed = option.replicas();
      OptionVars vars;
      if (bestEffort && needed > 0) {
        // fewer replicas than needed are allowed, but a chosen option has at least one
        MPVariable replicas = solver.makeIntVar(0, needed, "y_" + i + "_" + o);
        MPConstraint link = solver.makeConstraint(-MPSolver.infinity(), 0, "ylink_" + i + "_" + o);
        link.setCoefficient(replicas, 1);
        link.setCoefficient(chosen, -needed);
        MPConstraint atLeastOne = solver.makeConstraint(0, MPSolver.infinity(), "ymin_" + i + "_" + o);
        atLeastOne.setCoefficient(replicas, 1);
        atLeastOne.setCoefficient(chosen, -1);
        vars = new OptionVars(option.id(), option.unitsPerReplica(), chosen, replicas, 1, option.costPerReplica(),
            1.0 / needed, needed, option.cost(), 0, option.costPerReplica());
      } else {
        vars = new OptionVars(option.id(), option.unitsPerReplica(), chosen, chosen, needed, option.cost(),
            1, needed, option.cost(), 0, option.costPerReplica());
      }
      if (shareDefinition != null) {
        shareDefinition.setCoefficient(vars.replicaVar(), vars.shareCoef());
      }
      options.add(vars);
    }
    return new ServerVars(spec, served, share, options);
  }

  private ServerVars mixServer(int i, ServerSpec spec, MPVariable served) {
    RateDemand demand = spec.rateDemand().orElseThrow();
    MPVariable share = bestEffort ? solver.makeNumVar(0, 1, "f_" + i) : served;
    if (bestEffort) {
      MPConstraint servedNeedsFullShare = solver.makeConstraint(-MPSolver.infinity(), 0, "full_" + i);
      servedNeedsFullShare.setCoefficient(served, 1);
      servedNeedsFullShare.setCoefficient(share, -1);
    }
    // sum of rates covers the required rate times the share (the share is 1 when served)
    MPConstraint rate = solver.makeConstraint(0, MPSolver.infinity(), "rate_" + i);
    rate.setCoefficient(share, -demand.requiredRate());
    MPConstraint minReplicas = null;
    if (demand.minReplicas() > 0) {
      minReplicas = solver.makeConstraint(0, MPSolver.infinity(), "minrep_" + i);
      minReplicas.setCoefficient(served, -demand.minReplicas());
    }
    List<OptionVars> options = new ArrayList<>();
    for (int o = 0; o < demand.options().size(); o++) {
      RateOption option = demand.options().get(o);
      // more replicas of one type than cover the whole rate alone never help
      double bound = Math.max(Math.ceil(demand.requiredRate() / option.ratePerReplica()), demand.minReplicas());
      MPVariable replicas = solver.makeIntVar(0, bound, "n_" + i + "_" + o);
      rate.setCoefficient(replicas, option.ratePerReplica());
      if (minReplicas != null) {
        minReplicas.setCoefficient(replicas, 1);
      }
      if (!bestEffort) {
        // an unserved server holds no replicas
        MPConstraint onlyIfServed = solver.makeConstraint(-MPSolver.infinity(), 0, "nlink_" + i + "_" + o);
        onlyIfServed.setCoefficient(replicas, 1);
        onlyIfServed.setCoefficient(served, -bound);
      }
      MPVariable used = null;
      if (penaltyApplies(spec) && currentCostById(spec).containsKey(option.id())) {
        used = solver.makeBoolVar("u_" + i + "_" + o);
        MPConstraint usedNeedsReplica = solver.makeConstraint(-MPSolver.infinity(), 0, "ulink_" + i + "_" + o);
        usedNeedsReplica.setCoefficient(used, 1);
        usedNeedsReplica.setCoefficient(replicas, -1);
      }
      options.add(new OptionVars(option.id(), option.unitsPerReplica(), used, replicas, 1, option.costPerReplica(),
          0, 0, 0, option.ratePerReplica(), option.costPerReplica()));
    }
    return new ServerVars(spec, served, share, options);
  }

  private void addCapacityConstraints() {
    Map<String, MPConstraint> byType = new HashMap<>();
    for (ServerVars server : servers) {
      for (OptionVars option : server.options()) {
        option.units().forEach((type, units) -> {
          Integer available = problem.capacity().get(type);
          if (available == null) {
            return;
          }
          MPConstraint constraint = byType.computeIfAbsent(type,
              t -> solver.makeConstraint(-MPSolver.infinity(), available, "capacity_" + t));
          constraint.setCoefficient(option.replicaVar(),
              constraint.getCoefficient(option.replicaVar()) + units * option.replicaCoef());
        });
      }
    }
  }

  /**
   * The floor's levels as constraints. The shares and the cost get a little room (a share lower, the
   * ceiling higher by a relative 1e-9) so that the allocation the floor was taken from stays
   * feasible despite floating-point sums.
   */
  private void addFloorConstraints(ServiceFloor floor) {
    floor.served().forEach((priority, count) -> {
      if (count > 0) {
        keepServed(priority, count);
      }
    });
    floor.shares().forEach((priority, share) -> {
      if (share > 0) {
        keepShare(priority, Math.max(0, share - FLOOR_SHARE_SLACK));
      }
    });
    for (ServerVars server : servers) {
      double share = floor.serverShares().getOrDefault(server.spec().name(), 0.0);
      if (share >= 1 - FLOOR_SHARE_SLACK) {
        server.served().setLb(1);
      } else if (share > 0) {
        server.share().setLb(Math.max(0, share - FLOOR_SHARE_SLACK));
      }
    }
    if (Double.isFinite(floor.costCeiling())) {
      double ceiling = floor.costCeiling() + FLOOR_COST_SLACK * Math.max(1, floor.costCeiling());
      MPConstraint cost = solver.makeConstraint(-MPSolver.infinity(), ceiling, "cost_ceiling");
      for (ServerVars server : servers) {
        for (OptionVars option : server.options()) {
          cost.setCoefficient(option.replicaVar(), cost.getCoefficient(option.replicaVar()) + option.costCoef());
        }
      }
    }
  }

  private boolean penaltyApplies(ServerSpec spec) {
    return problem.settings().transitionPenaltyFactor() > 0 && !spec.current().isEmpty();
  }

  private static Map<String, Double> currentCostById(ServerSpec spec) {
    Map<String, Double> costs = new LinkedHashMap<>();
    spec.current().forEach(p -> costs.merge(p.optionId(), p.cost(), Double::sum));
    return costs;
  }

  /** Objective of a lexicographic count stage: fully served servers of one priority. */
  void maximiseServed(MPObjective objective, int priority) {
    objective.clear();
    servers.stream().filter(s -> s.spec().priority() == priority)
        .forEach(s -> objective.setCoefficient(s.served(), 1));
    objective.setMaximization();
  }

  /** Objective of the first stage when there are several priorities: all servers served. */
  void maximiseServed(MPObjective objective) {
    objective.clear();
    servers.forEach(s -> objective.setCoefficient(s.served(), 1));
    objective.setMaximization();
  }

  /** Servers with at least one option: the most that can be served. */
  long servable() {
    return servers.stream().filter(s -> !s.options().isEmpty()).count();
  }

  /** Servers the solution counts as served, over all priorities. */
  long servedIn(double[] values) {
    return servers.stream().filter(s -> values[s.served().index()] > 0.5).count();
  }

  /** Keeps every servable server served in later stages. */
  void keepEveryoneServed() {
    servers.stream().filter(s -> !s.options().isEmpty()).forEach(s -> s.served().setLb(1));
  }

  /** Keeps at least the given number of servers of the priority fully served in later stages. */
  void keepServed(int priority, long count) {
    MPConstraint keep = solver.makeConstraint(count, MPSolver.infinity(), "keep_served_" + priority);
    servers.stream().filter(s -> s.spec().priority() == priority).forEach(s -> keep.setCoefficient(s.served(), 1));
  }

  /** Servers of the priority the solution counts as served (its served indicators). */
  long servedIn(double[] values, int priority) {
    return servers.stream().filter(s -> s.spec().priority() == priority)
        .filter(s -> values[s.served().index()] > 0.5).count();
  }

  /** Sum of the served shares of the priority in the solution. */
  double shareIn(double[] values, int priority) {
    return servers.stream().filter(s -> s.spec().priority() == priority)
        .mapToDouble(s -> values[s.share().index()]).sum();
  }

  /** Objective of a best-effort stage: the served shares of one priority. */
  void maximiseShare(MPObjective objective, int priority) {
    objective.clear();
    servers.stream().filter(s -> s.spec().priority() == priority)
        .forEach(s -> objective.setCoefficient(s.share(), 1));
    objective.setMaximization();
  }

  /** Keeps at least the given total share of the priority in later stages. */
  void keepShare(int priority, double total) {
    MPConstraint keep = solver.makeConstraint(total, MPSolver.infinity(), "keep_share_" + priority);
    servers.stream().filter(s -> s.spec().priority() == priority).forEach(s -> keep.setCoefficient(s.share(), 1));
  }

  /**
   * Objective of the cost stage: cost plus transition penalty, and with {@code weighted} the
   * penalty of each server's priority times its unserved share.
   */
  void minimiseCost(MPObjective objective, boolean weighted) {
    objective.clear();
    double offset = 0;
    double factor = problem.settings().transitionPenaltyFactor();
    for (ServerVars server : servers) {
      Map<String, Double> current = penaltyApplies(server.spec()) ? currentCostById(server.spec()) : Map.of();
      Map<String, Double> unmatched = new HashMap<>(current);
      for (OptionVars option : server.options()) {
        add(objective, option.replicaVar(), option.costCoef());
        Double currentCost = current.get(option.id());
        unmatched.remove(option.id());
        if (currentCost != null) {
          // dropping a current option costs factor * its current cost, unless the option stays in use
          offset += factor * currentCost;
          add(objective, option.chosen(), -factor * currentCost);
        } else if (!current.isEmpty()) {
          // replicas on an option the server does not use now cost factor * their cost
          add(objective, option.replicaVar(), factor * option.costCoef());
        }
      }
      offset += factor * unmatched.values().stream().mapToDouble(Double::doubleValue).sum();
      if (weighted) {
        double penalty = problem.settings().unservedPenalty().getOrDefault(server.spec().priority(), 0.0);
        offset += penalty;
        add(objective, server.share(), -penalty);
      }
    }
    objective.setOffset(offset);
    objective.setMinimization();
  }

  private static void add(MPObjective objective, MPVariable variable, double coefficient) {
    objective.setCoefficient(variable, objective.getCoefficient(variable) + coefficient);
  }

  /** The current solution, indexed by variable index. */
  double[] values() {
    MPVariable[] variables = solver.variables();
    double[] values = new double[variables.length];
    for (MPVariable variable : variables) {
      values[variable.index()] = variable.solutionValue();
    }
    return values;
  }

  /** Reads a solution back into allocations, recomputing costs and penalties exactly. */
  List<ServerAllocation> allocations(double[] values) {
    List<ServerAllocation> result = new ArrayList<>();
    for (ServerVars server : servers) {
      result.add(server.spec().heterogeneous() ? mixAllocation(server, values) : singleAllocation(server, values));
    }
    return result;
  }

  private ServerAllocation singleAllocation(ServerVars server, double[] values) {
    for (OptionVars option : server.options()) {
      if (values[option.chosen().index()] < 0.5) {
        continue;
      }
      int replicas = (int) Math.round(values[option.replicaVar().index()] * option.replicaCoef());
      if (option.replicaVar() == option.chosen()) {
        replicas = option.neededReplicas();
      }
      boolean full = replicas == option.neededReplicas();
      double cost = full ? option.fullCost() : option.costPerReplica() * replicas;
      double share = option.neededReplicas() == 0 ? 1 : (double) replicas / option.neededReplicas();
      List<Placement> placements = List.of(new Placement(option.id(), replicas, cost));
      return new ServerAllocation(server.spec().name(), server.spec().priority(), placements, full, share, cost,
          penalty(server.spec(), placements));
    }
    return unallocated(server.spec());
  }

  private ServerAllocation mixAllocation(ServerVars server, double[] values) {
    RateDemand demand = server.spec().rateDemand().orElseThrow();
    List<Placement> placements = new ArrayList<>();
    double rate = 0;
    double cost = 0;
    int total = 0;
    for (OptionVars option : server.options()) {
      int replicas = (int) Math.round(values[option.replicaVar().index()]);
      if (replicas > 0) {
        double optionCost = option.costPerReplica() * replicas;
        placements.add(new Placement(option.id(), replicas, optionCost));
        rate += option.ratePerReplica() * replicas;
        cost += optionCost;
        total += replicas;
      }
    }
    if (placements.isEmpty()) {
      return unallocated(server.spec());
    }
    boolean full = rate >= demand.requiredRate() * (1 - RATE_TOLERANCE) && total >= demand.minReplicas();
    double share = full ? 1 : Math.min(1, rate / demand.requiredRate());
    return new ServerAllocation(server.spec().name(), server.spec().priority(), placements, full, share, cost,
        penalty(server.spec(), placements));
  }

  private ServerAllocation unallocated(ServerSpec spec) {
    return new ServerAllocation(spec.name(), spec.priority(), List.of(), false, 0, 0, penalty(spec, List.of()));
  }

  /**
   * factor * (cost of current options no longer used + cost of placements on options not used
   * now); zero without a current deployment.
   */
  private double penalty(ServerSpec spec, List<Placement> placements) {
    if (!penaltyApplies(spec)) {
      return 0;
    }
    Map<String, Double> current = currentCostById(spec);
    double penalty = 0;
    for (Map.Entry<String, Double> entry : current.entrySet()) {
      if (placements.stream().noneMatch(p -> p.optionId().equals(entry.getKey()))) {
        penalty += entry.getValue();
      }
    }
    for (Placement placement : placements) {
      if (!current.containsKey(placement.optionId())) {
        penalty += placement.cost();
      }
    }
    return problem.settings().transitionPenaltyFactor() * penalty;
  }

  /** Accelerator units a set of allocations uses, by type. */
  Map<String, Integer> unitsUsed(List<ServerAllocation> allocations) {
    Map<String, Map<String, Map<String, Integer>>> units = new HashMap<>();
    for (ServerVars server : servers) {
      Map<String, Map<String, Integer>> byOption = new HashMap<>();
      server.options().forEach(option -> byOption.put(option.id(), option.units()));
      units.put(server.spec().name(), byOption);
    }
    Map<String, Integer> used = new TreeMap<>();
    for (ServerAllocation allocation : allocations) {
      for (Placement placement : allocation.placements()) {
        units.get(allocation.server()).get(placement.optionId())
            .forEach((type, count) -> used.merge(type, count * placement.replicas(), Integer::sum));
      }
    }
    return used;
  }
}
