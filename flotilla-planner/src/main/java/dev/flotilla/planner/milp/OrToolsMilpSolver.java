package dev.flotilla.planner.milp;

import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * {@link MilpSolver} on OR-Tools' {@code MPSolver}. A lexicographic objective runs as a sequence
 * of stages on one model: each stage optimises one level, then a constraint keeps what it
 * achieved, and its solution is handed to the next stage as a hint (it stays feasible there).
 */
final class OrToolsMilpSolver implements MilpSolver {

  /** Slack on a kept best-effort share, against floating-point drift between stages. */
  private static final double SHARE_SLACK = 1e-6;

  private final LongSupplier nanoTicker;

  OrToolsMilpSolver(LongSupplier nanoTicker) {
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
    // once per JVM, and outside the timed solves: the first call unpacks about 70 MB of libraries
    OrTools.loadNatives();
  }

  private sealed interface Stage {
    String name();
  }

  /** Serving every server that has an option settles all count stages at once when it fits. */
  private record EveryoneStage() implements Stage {
    public String name() {
      return "served[all]";
    }
  }

  private record CountStage(int priority) implements Stage {
    public String name() {
      return "served[p=" + priority + "]";
    }
  }

  private record ShareStage(int priority) implements Stage {
    public String name() {
      return "share[p=" + priority + "]";
    }
  }

  private record CostStage(boolean weighted) implements Stage {
    public String name() {
      return weighted ? "weighted-cost" : "cost";
    }
  }

  @Override
  public MilpResult solve(AllocationProblem problem) {
    long start = nanoTicker.getAsLong();
    MilpSettings settings = problem.settings();
    MPSolver solver = OrTools.newSolver(settings.backend());
    MPSolverParameters parameters = OrTools.exactParameters();
    try {
      AllocationModel model = new AllocationModel(problem, solver);
      MPVariable[] variables = solver.variables();
      double[] solution = null;
      SolveStatus overall = SolveStatus.OPTIMAL;
      List<String> notes = new ArrayList<>();
      int runs = 0;
      boolean everyoneServed = false;
      for (Stage stage : stages(problem)) {
        // serving everyone settles every count stage, and every share stage too: a served server's share is 1
        if ((stage instanceof CountStage || stage instanceof ShareStage) && everyoneServed) {
          continue;
        }
        long remainingMillis = settings.timeLimit().toMillis() - elapsed(start).toMillis();
        if (remainingMillis <= 0) {
          notes.add(stage.name() + ": skipped, time limit reached");
          if (solution == null) {
            return unsolved(SolveStatus.NOT_SOLVED, start, runs, notes);
          }
          overall = SolveStatus.FEASIBLE;
          break;
        }
        switch (stage) {
          case EveryoneStage ignored -> model.maximiseServed(solver.objective());
          case CountStage count -> model.maximiseServed(solver.objective(), count.priority());
          case ShareStage share -> model.maximiseShare(solver.objective(), share.priority());
          case CostStage cost -> model.minimiseCost(solver.objective(), cost.weighted());
        }
        boolean shortcut = stage instanceof EveryoneStage;
        solver.setTimeLimit(shortcut ? Math.min(remainingMillis, everyoneStageMillis(settings)) : remainingMillis);
        if (solution != null) {
          solver.setHint(variables, solution);
        }
        SolveStatus status = OrTools.status(solver.solve(parameters));
        runs++;
        notes.add(stage.name() + ": " + status);
        if (shortcut) {
          // a shortcut, not a level of the objective: a solution serving everyone settles every count
          // stage (no solution serves more), anything else only hints the count stages, which decide
          if (status == SolveStatus.OPTIMAL || status == SolveStatus.FEASIBLE) {
            solution = model.values();
            everyoneServed = model.servedIn(solution) == model.servable();
            if (everyoneServed) {
              model.keepEveryoneServed();
            }
          }
          continue;
        }
        if (status == SolveStatus.INFEASIBLE) {
          notes.add(infeasibilityHint(problem));
          return unsolved(SolveStatus.INFEASIBLE, start, runs, notes);
        }
        if (status == SolveStatus.NOT_SOLVED) {
          if (solution == null) {
            return unsolved(SolveStatus.NOT_SOLVED, start, runs, notes);
          }
          overall = SolveStatus.FEASIBLE;
          break;
        }
        if (status == SolveStatus.FEASIBLE) {
          overall = SolveStatus.FEASIBLE;
        }
        solution = model.values();
        // later stages may not undo what this one achieved
        switch (stage) {
          case EveryoneStage ignored -> { }
          case CountStage count -> model.keepServed(count.priority(), model.servedIn(solution, count.priority()));
          case ShareStage share -> model.keepShare(share.priority(),
              Math.max(0, model.shareIn(solution, share.priority()) - SHARE_SLACK));
          case CostStage ignored -> { }
        }
      }
      List<ServerAllocation> allocations = model.allocations(solution);
      double cost = allocations.stream().mapToDouble(ServerAllocation::cost).sum();
      double penalty = allocations.stream().mapToDouble(ServerAllocation::transitionPenalty).sum();
      return new MilpResult(overall, allocations, cost, penalty, model.unitsUsed(allocations), elapsed(start), runs,
          settings.backend() + " " + String.join(", ", notes));
    } finally {
      parameters.delete();
      solver.delete();
    }
  }

  /**
   * Time the "everyone served" shortcut may take: a fifth of the limit, at least 2 s. When not every
   * server fits, proving the largest number served over all priorities can take longer than the
   * whole limit (seen on a congested 200-server problem), and the count stages would never run.
   */
  private static long everyoneStageMillis(MilpSettings settings) {
    return Math.max(2_000, settings.timeLimit().toMillis() / 5);
  }

  private static List<Stage> stages(AllocationProblem problem) {
    MilpSettings settings = problem.settings();
    List<Stage> stages = new ArrayList<>();
    if (settings.shortfall() == Shortfall.REQUIRE_ALL) {
      stages.add(new CostStage(false));
      return stages;
    }
    if (settings.objective() == PriorityObjective.WEIGHTED) {
      stages.add(new CostStage(true));
      return stages;
    }
    if (settings.serviceFloor().isPresent()) {
      // the floor fixes the levels the count and share stages would maximise
      stages.add(new CostStage(false));
      return stages;
    }
    if (problem.priorities().size() > 1) {
      stages.add(new EveryoneStage());
    }
    problem.priorities().forEach(p -> stages.add(new CountStage(p)));
    if (settings.shortfall() == Shortfall.BEST_EFFORT) {
      problem.priorities().forEach(p -> stages.add(new ShareStage(p)));
    }
    stages.add(new CostStage(false));
    return stages;
  }

  private static String infeasibilityHint(AllocationProblem problem) {
    if (problem.settings().serviceFloor().isPresent()) {
      return "no allocation reaches the service floor within the capacity and the cost ceiling";
    }
    List<String> hopeless = problem.servers().stream()
        .filter(s -> s.options().isEmpty() && s.rateDemand().map(d -> d.options().isEmpty()).orElse(true))
        .map(ServerSpec::name)
        .toList();
    return hopeless.isEmpty()
        ? "not every server fits in the capacity"
        : "servers without any option: " + hopeless;
  }

  private MilpResult unsolved(SolveStatus status, long start, int runs, List<String> notes) {
    return new MilpResult(status, List.of(), 0, 0, Map.of(), elapsed(start), runs, String.join(", ", notes));
  }

  private Duration elapsed(long start) {
    return Duration.ofNanos(nanoTicker.getAsLong() - start);
  }
}
