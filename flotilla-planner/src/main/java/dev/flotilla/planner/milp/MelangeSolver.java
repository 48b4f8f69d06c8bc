package dev.flotilla.planner.milp;

import java.util.function.LongSupplier;

/**
 * Solves Mélange's ILP (Griggs et al. 2024): split each request-size bucket's load into slices,
 * assign every slice to one GPU type, and buy whole GPUs per type so that the slices' loads on a
 * type (rate / throughput) fit in its GPU count, at least total cost. Blocking; stateless.
 */
public interface MelangeSolver {

  /** Solves the problem; an unservable bucket gives {@link SolveStatus#INFEASIBLE}. */
  MelangeResult solve(MelangeProblem problem);

  /** A SCIP-backed solver timing itself with {@link System#nanoTime()}. */
  static MelangeSolver create() {
    return create(System::nanoTime);
  }

  /** A SCIP-backed solver timing itself with the given nanosecond ticker. */
  static MelangeSolver create(LongSupplier nanoTicker) {
    return new OrToolsMelangeSolver(nanoTicker);
  }
}
