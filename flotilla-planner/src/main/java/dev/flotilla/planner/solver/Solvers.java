package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.milp.MilpSettings;
import dev.flotilla.planner.milp.MilpSolver;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import java.time.Duration;
import java.util.List;

/** Picks and runs the solver a problem's settings (or the user) ask for. */
public final class Solvers {

    /** The solver names {@link #named} accepts. */
    public static final List<String> NAMES = List.of("greedy", "milp", "milp-same-service", "milp-hetero", "unlimited");

    private Solvers() {
    }

    /**
     * As Inferno's settings say: {@code heterogeneous} → the MILP mixing accelerators within a
     * server; {@code milpSolver} → the MILP with one accelerator per server; otherwise unlimited
     * capacity → each server its cheapest candidate, and limited capacity → Inferno's greedy with
     * the settings' saturation policy. ({@code useCplex} is ignored: the MILP runs on OR-Tools SCIP.)
     */
    public static Solver forSettings(OptimizerSettings settings) {
        return named(nameFor(settings), settings);
    }

    /** The name of the solver {@link #forSettings} picks: milp-hetero, milp, unlimited or greedy. */
    public static String nameFor(OptimizerSettings settings) {
        if (settings.heterogeneous()) {
            return "milp-hetero";
        }
        if (settings.milp()) {
            return "milp";
        }
        return settings.unlimited() ? "unlimited" : "greedy";
    }

    /**
     * The solver called {@code name} ({@link #NAMES}), overriding the settings' choice of algorithm
     * but not their capacity mode: {@code greedy} under unlimited capacity is the unlimited solver
     * (nothing limits it, so it takes each server's cheapest candidate), and {@code unlimited}
     * ignores capacity whatever the settings say.
     *
     * @throws IllegalArgumentException for an unknown name, naming the accepted ones
     */
    public static Solver named(String name, OptimizerSettings settings) {
        return named(name, settings, MilpSettings.defaults().timeLimit());
    }

    /** As {@link #named(String, OptimizerSettings)}, the MILP solvers with the given time limit (all stages together). */
    public static Solver named(String name, OptimizerSettings settings, Duration milpTimeLimit) {
        MilpSettings milp = MilpSettings.defaults().withTimeLimit(milpTimeLimit);
        return switch (name) {
            case "greedy" -> settings.unlimited() ? new UnlimitedSolver()
                    : new GreedySolver(settings.saturationPolicy(), settings.delayedBestEffort());
            case "milp" -> MilpPlanSolver.of(false, MilpSolver.create(), milp);
            case "milp-same-service" -> MilpPlanSolver.atGreedyService(MilpSolver.create(), milp);
            case "milp-hetero" -> MilpPlanSolver.of(true, MilpSolver.create(), milp);
            case "unlimited" -> new UnlimitedSolver();
            default -> throw new IllegalArgumentException("solver: \"" + name + "\" (expected one of: "
                    + String.join(", ", NAMES) + ")");
        };
    }

    /** Computes the candidates and solves with the solver the problem's settings ask for. */
    public static Solution solve(Problem problem) {
        return forSettings(problem.optimizer()).solve(problem, Candidates.all(problem));
    }
}
