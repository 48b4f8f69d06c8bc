package dev.flotilla.planner.milp;

import com.google.ortools.linearsolver.MPConstraint;
import com.google.ortools.linearsolver.MPObjective;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;
import com.google.ortools.linearsolver.MPVariable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Mélange's ILP on SCIP. Variables: {@code x[s][g]} binary (slice s on GPU type g) and {@code
 * n[g]} integer (GPUs of type g). Each slice of non-zero rate sits on exactly one type; on every
 * type the slices' loads, rate / throughput, add up to at most {@code n[g]}; minimise the sum of
 * {@code cost[g] * n[g]}. A GPU type with throughput 0 for a bucket cannot take its slices (the
 * reference solver would divide by zero there).
 */
final class OrToolsMelangeSolver implements MelangeSolver {

  private record Slice(int input, int output, int index, double rate) {}

  private final LongSupplier nanoTicker;

  OrToolsMelangeSolver(LongSupplier nanoTicker) {
    this.nanoTicker = Objects.requireNonNull(nanoTicker, "nanoTicker");
    OrTools.loadNatives();
  }

  @Override
  public MelangeResult solve(MelangeProblem problem) {
    long start = nanoTicker.getAsLong();
    List<GpuProfile> gpus = problem.gpus();
    List<Slice> slices = slices(problem);
    for (Slice slice : slices) {
      if (gpus.stream().noneMatch(g -> throughput(g, slice) > 0)) {
        return new MelangeResult(SolveStatus.INFEASIBLE, Map.of(), 0, List.of(), elapsed(start),
            "bucket [" + slice.input() + "][" + slice.output() + "] has load but no GPU type serves it");
      }
    }
    MPSolver solver = OrTools.newSolver(MilpBackend.SCIP);
    MPSolverParameters parameters = OrTools.exactParameters();
    try {
      MPVariable[] counts = new MPVariable[gpus.size()];
      MPConstraint[] loadFits = new MPConstraint[gpus.size()];
      MPObjective objective = solver.objective();
      for (int g = 0; g < gpus.size(); g++) {
        GpuProfile gpu = gpus.get(g);
        double allLoad = slices.stream().mapToDouble(s -> load(gpu, s)).filter(Double::isFinite).sum();
        counts[g] = solver.makeIntVar(0, Math.ceil(allLoad), "n_" + g);
        objective.setCoefficient(counts[g], gpu.cost());
        loadFits[g] = solver.makeConstraint(-MPSolver.infinity(), 0, "load_" + g);
        loadFits[g].setCoefficient(counts[g], -1);
      }
      objective.setMinimization();
      MPVariable[][] placed = new MPVariable[slices.size()][gpus.size()];
      for (int s = 0; s < slices.size(); s++) {
        Slice slice = slices.get(s);
        MPConstraint onOneType = solver.makeConstraint(1, 1, "assign_" + s);
        for (int g = 0; g < gpus.size(); g++) {
          if (throughput(gpus.get(g), slice) <= 0) {
            continue;
          }
          placed[s][g] = solver.makeBoolVar("x_" + s + "_" + g);
          onOneType.setCoefficient(placed[s][g], 1);
          loadFits[g].setCoefficient(placed[s][g], load(gpus.get(g), slice));
        }
      }
      SolveStatus status = OrTools.status(solver.solve(parameters));
      if (status != SolveStatus.OPTIMAL && status != SolveStatus.FEASIBLE) {
        return new MelangeResult(status, Map.of(), 0, List.of(), elapsed(start), "SCIP " + status);
      }
      Map<String, Integer> gpuCounts = new LinkedHashMap<>();
      double cost = 0;
      for (int g = 0; g < gpus.size(); g++) {
        int count = (int) Math.round(counts[g].solutionValue());
        gpuCounts.put(gpus.get(g).name(), count);
        cost += count * gpus.get(g).cost();
      }
      List<SliceAssignment> assignments = new ArrayList<>();
      for (int s = 0; s < slices.size(); s++) {
        Slice slice = slices.get(s);
        for (int g = 0; g < gpus.size(); g++) {
          if (placed[s][g] != null && placed[s][g].solutionValue() > 0.5) {
            assignments.add(new SliceAssignment(slice.input(), slice.output(), slice.index(), slice.rate(),
                gpus.get(g).name(), load(gpus.get(g), slice)));
          }
        }
      }
      return new MelangeResult(status, gpuCounts, cost, assignments, elapsed(start), "SCIP " + status);
    } finally {
      parameters.delete();
      solver.delete();
    }
  }

  /** Each bucket's rate split into slice-factor equal slices; buckets without load need no GPU. */
  private static List<Slice> slices(MelangeProblem problem) {
    List<Slice> slices = new ArrayList<>();
    List<List<Double>> distribution = problem.workloadDistribution();
    for (int i = 0; i < distribution.size(); i++) {
      for (int j = 0; j < distribution.get(i).size(); j++) {
        double rate = distribution.get(i).get(j) * problem.totalRequestRate() / problem.sliceFactor();
        if (rate <= 0) {
          continue;
        }
        for (int k = 0; k < problem.sliceFactor(); k++) {
          slices.add(new Slice(i, j, k, rate));
        }
      }
    }
    return slices;
  }

  private static double throughput(GpuProfile gpu, Slice slice) {
    return gpu.tputs().get(slice.input()).get(slice.output());
  }

  private static double load(GpuProfile gpu, Slice slice) {
    double throughput = throughput(gpu, slice);
    return throughput > 0 ? slice.rate() / throughput : Double.POSITIVE_INFINITY;
  }

  private Duration elapsed(long start) {
    return Duration.ofNanos(nanoTicker.getAsLong() - start);
  }
}
