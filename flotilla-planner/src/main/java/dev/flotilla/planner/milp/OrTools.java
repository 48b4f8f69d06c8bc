package dev.flotilla.planner.milp;

import com.google.ortools.Loader;
import com.google.ortools.linearsolver.MPSolver;
import com.google.ortools.linearsolver.MPSolverParameters;

/** Loading OR-Tools' native libraries and creating exact MILP solvers. */
final class OrTools {

  private OrTools() {}

  /**
   * Loads the natives. {@link Loader} extracts the {@code ortools-<platform>/} folder of the
   * platform jar (kept as is by the shade plugin) to a temporary directory once per JVM, and
   * ignores later calls.
   */
  static void loadNatives() {
    try {
      Loader.loadNativeLibraries();
    } catch (RuntimeException | LinkageError e) {
      throw new IllegalStateException("OR-Tools native libraries did not load on "
          + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
          + " (expected: com.google.ortools:ortools-<platform> jar on the class path, e.g. ortools-linux-x86-64): "
          + e, e);
    }
  }

  /** A fresh, quiet solver of the given backend; the caller deletes it. */
  static MPSolver newSolver(MilpBackend backend) {
    loadNatives();
    MPSolver solver = MPSolver.createSolver(backend.solverId());
    if (solver == null) {
      throw new IllegalStateException("OR-Tools has no " + backend + " backend in this build");
    }
    solver.suppressOutput();
    return solver;
  }

  /**
   * Parameters for proven optima: MPSolver's default relative gap of 1e-4 would accept a solution
   * 0.01 % worse than the best, enough to pick the wrong one of two near-equal costs.
   */
  static MPSolverParameters exactParameters() {
    MPSolverParameters parameters = new MPSolverParameters();
    parameters.setDoubleParam(MPSolverParameters.DoubleParam.RELATIVE_MIP_GAP, 0.0);
    return parameters;
  }

  static SolveStatus status(MPSolver.ResultStatus status) {
    return switch (status) {
      case OPTIMAL -> SolveStatus.OPTIMAL;
      case FEASIBLE -> SolveStatus.FEASIBLE;
      case INFEASIBLE -> SolveStatus.INFEASIBLE;
      default -> SolveStatus.NOT_SOLVED;
    };
  }
}
