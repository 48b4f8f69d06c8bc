package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;

/** Picks and runs the solver a problem's settings ask for. */
public final class Solvers {

    private Solvers() {
    }

    /**
     * The unlimited solver when capacity is unlimited, else the greedy solver with the settings'
     * saturation policy. (The MILP solver, when present, is chosen by its own module.)
     */
    public static Solver forSettings(OptimizerSettings settings) {
        if (settings.unlimited()) {
            return new UnlimitedSolver();
        }
        return new GreedySolver(settings.saturationPolicy(), settings.delayedBestEffort());
    }

    /** Computes the candidates and solves with the solver the problem's settings ask for. */
    public static Solution solve(Problem problem) {
        return forSettings(problem.optimizer()).solve(problem, Candidates.all(problem));
    }
}
