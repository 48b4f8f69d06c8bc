package dev.flotilla.planner.milp;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The GPU mix Mélange's ILP chose, as its solver reports it: a count per GPU type (every type of
 * the problem, in its order, zero included) and the total hourly cost, the sum of count times
 * cost.
 *
 * @param status how far the solve got; counts are empty unless optimal or feasible
 * @param gpuCounts GPUs per type, in the problem's order
 * @param cost total cost per hour
 * @param slices where each slice of non-zero rate went
 * @param solveTime wall time of building and solving
 * @param detail solver and status, or why there is no solution
 */
public record MelangeResult(
    SolveStatus status,
    Map<String, Integer> gpuCounts,
    double cost,
    List<SliceAssignment> slices,
    Duration solveTime,
    String detail) {

  public MelangeResult {
    Objects.requireNonNull(status, "status");
    gpuCounts = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(gpuCounts, "gpuCounts")));
    slices = List.copyOf(Objects.requireNonNull(slices, "slices"));
    Objects.requireNonNull(solveTime, "solveTime");
    Objects.requireNonNull(detail, "detail");
  }
}
