package dev.flotilla.planner.milp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random tiny problems (seeded) solved by the MILP and by enumerating every allocation; the
 * MILP's allocation must be feasible and score the same as the best enumerated one under each
 * objective and shortfall policy. The scoring here is written from the documented definitions,
 * independently of the model.
 */
class BruteForceCrossCheckTest {

  private static final MilpSolver SOLVER = MilpSolver.create();
  private static final double EPS = 1e-6;

  static Stream<Long> seeds() {
    return IntStream.rangeClosed(1, 30).mapToObj(i -> 1000L + i);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void solve_randomTinyProblem_matchesEnumeration(long seed) {
    Random random = new Random(seed);
    AllocationProblem base = randomProblem(random);
    Map<Integer, Double> penalties = new HashMap<>();
    base.priorities().forEach(p -> penalties.put(p, 1 + random.nextInt(40) / 2.0));
    double factor = random.nextBoolean() ? 0.1 : 0;
    MilpSettings defaults = MilpSettings.defaults().withTransitionPenaltyFactor(factor);
    List<MilpSettings> variants = List.of(
        defaults,
        defaults.withShortfall(Shortfall.BEST_EFFORT),
        defaults.withShortfall(Shortfall.REQUIRE_ALL),
        defaults.weighted(penalties),
        defaults.weighted(penalties).withShortfall(Shortfall.BEST_EFFORT));
    for (MilpSettings settings : variants) {
      AllocationProblem problem = base.withSettings(settings);
      String label = "seed " + seed + ", " + settings.objective() + "/" + settings.shortfall() + ", factor " + factor
          + ", problem " + problem;
      double[] best = enumerateBest(problem);
      MilpResult result = SOLVER.solve(problem);
      if (best == null) {
        assertThat(result.status()).as(label).isEqualTo(SolveStatus.INFEASIBLE);
        continue;
      }
      assertThat(result.status()).as(label + "\n" + result.detail()).isEqualTo(SolveStatus.OPTIMAL);
      List<List<Placement>> chosen = result.allocations().stream().map(ServerAllocation::placements).toList();
      assertThat(allowed(problem, chosen)).as(label + "\nMILP allocation breaks a rule: " + result).isTrue();
      double[] score = score(problem, chosen);
      for (int k = 0; k < best.length; k++) {
        assertThat(score[k]).as(label + "\nscore component " + k + ", MILP " + result).isCloseTo(best[k],
            org.assertj.core.api.Assertions.within(EPS * Math.max(1, Math.abs(best[k]))));
      }
      assertThat(result.totalCost() + result.totalTransitionPenalty())
          .as(label).isCloseTo(cost(problem, chosen), org.assertj.core.api.Assertions.within(EPS));
    }
  }

  // ---- random problems ----

  private static AllocationProblem randomProblem(Random random) {
    int typeCount = 1 + random.nextInt(3);
    Map<String, Integer> capacity = new HashMap<>();
    for (int t = 0; t < typeCount; t++) {
      if (random.nextDouble() < 0.8) {
        capacity.put("T" + t, random.nextInt(7));
      }
    }
    int serverCount = 2 + random.nextInt(3);
    List<ServerSpec> servers = new ArrayList<>();
    for (int s = 0; s < serverCount; s++) {
      int priority = random.nextInt(3);
      ServerSpec server;
      if (random.nextDouble() < 0.25) {
        List<RateOption> options = new ArrayList<>();
        int count = 1 + random.nextInt(2);
        for (int o = 0; o < count; o++) {
          options.add(RateOption.of("T" + o % typeCount + "x" + o, "T" + o % typeCount, 1,
              1.5 + random.nextInt(6) / 2.0, 1 + random.nextInt(20) / 2.0));
        }
        server = ServerSpec.mix("m" + s, priority,
            new RateDemand(1 + random.nextInt(10) / 2.0, random.nextInt(3), options));
        if (random.nextBoolean()) {
          RateOption current = options.get(random.nextInt(options.size()));
          server = server.withCurrent(List.of(new Placement(current.id(), 1, current.costPerReplica())));
        }
      } else {
        List<CandidateOption> options = new ArrayList<>();
        int count = random.nextInt(4);
        for (int o = 0; o < count; o++) {
          Map<String, Integer> units = new HashMap<>();
          units.put("T" + random.nextInt(typeCount), 1 + random.nextInt(2));
          if (random.nextDouble() < 0.2) {
            units.merge("T" + random.nextInt(typeCount), 1, Integer::sum);
          }
          options.add(new CandidateOption("o" + o, units, 1 + random.nextInt(3), 1 + random.nextInt(200) / 10.0));
        }
        server = ServerSpec.single("s" + s, priority, options);
        if (random.nextBoolean()) {
          String id = options.isEmpty() || random.nextDouble() < 0.2 ? "gone" : options.get(random.nextInt(count)).id();
          server = server.withCurrent(List.of(new Placement(id, 1, 1 + random.nextInt(100) / 10.0)));
        }
      }
      servers.add(server);
    }
    return AllocationProblem.of(servers, capacity);
  }

  // ---- enumeration ----

  /** The best score over every allowed allocation, or null when none exists. */
  private static double[] enumerateBest(AllocationProblem problem) {
    List<List<List<Placement>>> choices = problem.servers().stream().map(s -> choices(problem, s)).toList();
    double[][] best = {null};
    enumerate(problem, choices, 0, new ArrayList<>(), best);
    return best[0];
  }

  private static void enumerate(AllocationProblem problem, List<List<List<Placement>>> choices, int index,
      List<List<Placement>> partial, double[][] best) {
    if (index == choices.size()) {
      if (fits(problem, partial)) {
        double[] score = score(problem, partial);
        if (best[0] == null || better(score, best[0])) {
          best[0] = score;
        }
      }
      return;
    }
    for (List<Placement> choice : choices.get(index)) {
      partial.add(choice);
      enumerate(problem, choices, index + 1, partial, best);
      partial.removeLast();
    }
  }

  private static List<List<Placement>> choices(AllocationProblem problem, ServerSpec server) {
    Shortfall shortfall = problem.settings().shortfall();
    List<List<Placement>> result = new ArrayList<>();
    if (!server.heterogeneous()) {
      result.add(List.of());
      for (CandidateOption option : server.options()) {
        int from = shortfall == Shortfall.BEST_EFFORT ? 1 : option.replicas();
        for (int k = from; k <= option.replicas(); k++) {
          double cost = k == option.replicas() ? option.cost() : option.costPerReplica() * k;
          result.add(List.of(new Placement(option.id(), k, cost)));
        }
      }
    } else {
      RateDemand demand = server.rateDemand().orElseThrow();
      List<List<Placement>> combos = new ArrayList<>();
      combos.add(List.of());
      for (RateOption option : demand.options()) {
        int bound = (int) Math.max(Math.ceil(demand.requiredRate() / option.ratePerReplica()), demand.minReplicas());
        List<List<Placement>> next = new ArrayList<>();
        for (List<Placement> combo : combos) {
          for (int n = 0; n <= bound; n++) {
            List<Placement> extended = new ArrayList<>(combo);
            if (n > 0) {
              extended.add(new Placement(option.id(), n, option.costPerReplica() * n));
            }
            next.add(extended);
          }
        }
        combos = next;
      }
      for (List<Placement> combo : combos) {
        if (combo.isEmpty() || shortfall == Shortfall.BEST_EFFORT || served(server, combo)) {
          result.add(combo);
        }
      }
    }
    if (shortfall == Shortfall.REQUIRE_ALL) {
      result.removeIf(choice -> !served(server, choice));
    }
    return result;
  }

  // ---- rules and scores, from the documented definitions ----

  private static boolean allowed(AllocationProblem problem, List<List<Placement>> allocation) {
    for (int i = 0; i < allocation.size(); i++) {
      if (!choices(problem, problem.servers().get(i)).contains(allocation.get(i))) {
        return false;
      }
    }
    return fits(problem, allocation);
  }

  private static boolean fits(AllocationProblem problem, List<List<Placement>> allocation) {
    Map<String, Integer> used = new HashMap<>();
    for (int i = 0; i < allocation.size(); i++) {
      for (Placement placement : allocation.get(i)) {
        units(problem.servers().get(i), placement.optionId())
            .forEach((type, units) -> used.merge(type, units * placement.replicas(), Integer::sum));
      }
    }
    return used.entrySet().stream()
        .allMatch(e -> e.getValue() <= problem.capacity().getOrDefault(e.getKey(), Integer.MAX_VALUE));
  }

  private static Map<String, Integer> units(ServerSpec server, String optionId) {
    if (server.heterogeneous()) {
      return server.rateDemand().orElseThrow().options().stream().filter(o -> o.id().equals(optionId)).findFirst()
          .orElseThrow().unitsPerReplica();
    }
    return server.options().stream().filter(o -> o.id().equals(optionId)).findFirst().orElseThrow().unitsPerReplica();
  }

  private static boolean served(ServerSpec server, List<Placement> choice) {
    if (!server.heterogeneous()) {
      return choice.size() == 1 && server.options().stream()
          .anyMatch(o -> o.id().equals(choice.getFirst().optionId()) && o.replicas() == choice.getFirst().replicas());
    }
    RateDemand demand = server.rateDemand().orElseThrow();
    int total = choice.stream().mapToInt(Placement::replicas).sum();
    return rate(server, choice) >= demand.requiredRate() * (1 - 1e-9) && total >= demand.minReplicas() && total > 0;
  }

  private static double rate(ServerSpec server, List<Placement> choice) {
    RateDemand demand = server.rateDemand().orElseThrow();
    return choice.stream().mapToDouble(p -> p.replicas() * demand.options().stream()
        .filter(o -> o.id().equals(p.optionId())).findFirst().orElseThrow().ratePerReplica()).sum();
  }

  private static double share(ServerSpec server, List<Placement> choice) {
    if (served(server, choice)) {
      return 1;
    }
    if (choice.isEmpty()) {
      return 0;
    }
    if (!server.heterogeneous()) {
      CandidateOption option = server.options().stream()
          .filter(o -> o.id().equals(choice.getFirst().optionId())).findFirst().orElseThrow();
      return (double) choice.getFirst().replicas() / option.replicas();
    }
    return Math.min(1, rate(server, choice) / server.rateDemand().orElseThrow().requiredRate());
  }

  /** Cost plus factor * (current cost of options dropped + cost of placements on new options). */
  private static double cost(AllocationProblem problem, List<List<Placement>> allocation) {
    double total = 0;
    double factor = problem.settings().transitionPenaltyFactor();
    for (int i = 0; i < allocation.size(); i++) {
      List<Placement> choice = allocation.get(i);
      List<Placement> current = problem.servers().get(i).current();
      total += choice.stream().mapToDouble(Placement::cost).sum();
      if (current.isEmpty()) {
        continue;
      }
      for (Placement was : current) {
        if (choice.stream().noneMatch(p -> p.optionId().equals(was.optionId()))) {
          total += factor * was.cost();
        }
      }
      for (Placement now : choice) {
        if (current.stream().noneMatch(p -> p.optionId().equals(now.optionId()))) {
          total += factor * now.cost();
        }
      }
    }
    return total;
  }

  /** Lexicographic: -served per priority, [-share per priority], cost; weighted: one number. */
  private static double[] score(AllocationProblem problem, List<List<Placement>> allocation) {
    MilpSettings settings = problem.settings();
    List<ServerSpec> servers = problem.servers();
    double cost = cost(problem, allocation);
    if (settings.shortfall() == Shortfall.REQUIRE_ALL) {
      return new double[] {cost};
    }
    if (settings.objective() == PriorityObjective.WEIGHTED) {
      double total = cost;
      for (int i = 0; i < servers.size(); i++) {
        ServerSpec server = servers.get(i);
        double unserved = settings.shortfall() == Shortfall.BEST_EFFORT
            ? 1 - share(server, allocation.get(i))
            : served(server, allocation.get(i)) ? 0 : 1;
        total += settings.unservedPenalty().get(server.priority()) * unserved;
      }
      return new double[] {total};
    }
    List<Double> score = new ArrayList<>();
    for (int priority : problem.priorities()) {
      double count = 0;
      for (int i = 0; i < servers.size(); i++) {
        if (servers.get(i).priority() == priority && served(servers.get(i), allocation.get(i))) {
          count++;
        }
      }
      score.add(-count);
    }
    if (settings.shortfall() == Shortfall.BEST_EFFORT) {
      for (int priority : problem.priorities()) {
        double shares = 0;
        for (int i = 0; i < servers.size(); i++) {
          if (servers.get(i).priority() == priority) {
            shares += share(servers.get(i), allocation.get(i));
          }
        }
        score.add(-shares);
      }
    }
    score.add(cost);
    return score.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static boolean better(double[] a, double[] b) {
    for (int k = 0; k < a.length; k++) {
      if (a[k] < b[k] - 1e-9) {
        return true;
      }
      if (a[k] > b[k] + 1e-9) {
        return false;
      }
    }
    return false;
  }
}
