package dev.flotilla.planner.milp;

import java.util.function.LongSupplier;

/**
 * Solves an {@link AllocationProblem} exactly with a MILP (OR-Tools {@code MPSolver}, SCIP by
 * default). Blocking and CPU-bound: call it from a worker or virtual thread, never an event loop.
 * Instances hold no state between solves and may be shared.
 */
public interface MilpSolver {

  /** Solves the problem; never throws for an infeasible problem (see {@link MilpResult#status()}). */
  MilpResult solve(AllocationProblem problem);

  /** A solver timing itself with {@link System#nanoTime()}. */
  static MilpSolver create() {
    return create(System::nanoTime);
  }

  /** A solver timing itself with the given nanosecond ticker. */
  static MilpSolver create(LongSupplier nanoTicker) {
    return new OrToolsMilpSolver(nanoTicker);
  }
}
