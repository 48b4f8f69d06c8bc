package dev.flotilla.planner.milp;

import java.util.List;
import java.util.Objects;

/**
 * One GPU type of a Mélange problem: its hourly cost and the requests per second one GPU sustains
 * within the SLO for each request-size bucket ({@code tputs[i][j]}: input-size bucket i,
 * output-size bucket j). A throughput of 0 means the GPU cannot serve that bucket.
 *
 * @param name GPU name, e.g. {@code "A10G"}
 * @param cost cost of one GPU per hour
 * @param tputs profiled maximum throughput per bucket, same shape as the workload distribution
 */
public record GpuProfile(String name, double cost, List<List<Double>> tputs) {

  public GpuProfile {
    Objects.requireNonNull(name, "name");
    tputs = Objects.requireNonNull(tputs, "tputs").stream().map(List::copyOf).toList();
  }
}
