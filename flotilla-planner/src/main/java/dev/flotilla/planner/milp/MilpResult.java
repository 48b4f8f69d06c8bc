package dev.flotilla.planner.milp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a MILP solve. With {@link SolveStatus#INFEASIBLE} or {@link
 * SolveStatus#NOT_SOLVED} there are no allocations and the totals are zero; {@code detail} says
 * why. Costs and penalties are recomputed from the integer solution, not read from the solver's
 * floating-point objective.
 *
 * @param status how far the solve got
 * @param allocations one entry per server, in the problem's order (empty when unsolved)
 * @param totalCost sum of the allocations' costs
 * @param totalTransitionPenalty sum of the allocations' transition penalties
 * @param unitsUsed accelerator units used by type
 * @param solveTime wall time of model building and all solver stages
 * @param stages number of solver runs (lexicographic objectives solve once per stage)
 * @param detail a human-readable note: the solver, stage statuses, or why nothing was found
 */
public record MilpResult(
    SolveStatus status,
    List<ServerAllocation> allocations,
    double totalCost,
    double totalTransitionPenalty,
    Map<String, Integer> unitsUsed,
    Duration solveTime,
    int stages,
    String detail) {

  public MilpResult {
    Objects.requireNonNull(status, "status");
    allocations = List.copyOf(Objects.requireNonNull(allocations, "allocations"));
    unitsUsed = Map.copyOf(Objects.requireNonNull(unitsUsed, "unitsUsed"));
    Objects.requireNonNull(solveTime, "solveTime");
    Objects.requireNonNull(detail, "detail");
  }

  /** Whether the result carries a solution (optimal or feasible). */
  public boolean hasSolution() {
    return status == SolveStatus.OPTIMAL || status == SolveStatus.FEASIBLE;
  }

  /** The allocation of the named server. */
  public Optional<ServerAllocation> allocation(String server) {
    return allocations.stream().filter(a -> a.server().equals(server)).findFirst();
  }

  /** Number of fully served servers of the given priority. */
  public long servedCount(int priority) {
    return allocations.stream().filter(a -> a.priority() == priority && a.served()).count();
  }
}
