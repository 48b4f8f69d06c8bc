package dev.flotilla.app;

import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.io.PlanTable;
import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.io.SolutionJson;
import dev.flotilla.planner.milp.SolveStatus;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.MilpPlanSolver;
import dev.flotilla.planner.solver.Solution;
import dev.flotilla.planner.solver.Solver;
import dev.flotilla.planner.solver.Solvers;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla plan}: Inferno's capacity planner. Reads a problem (Inferno's sample-data
 * directory, its SystemData JSON or Flotilla's YAML), chooses accelerator, replicas and batch size
 * per server at least cost under the SLOs (greedy or exact MILP, see {@code --solver}), prints the
 * allocation as a table and, with {@code --out}, writes it as Inferno's solution JSON. Subcommands:
 * {@code fit} (performance parameters from measurements), {@code generate} (a seeded random problem)
 * and {@code compare} (solvers side by side, timed).
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        subcommands = {PlanFitCommand.class, PlanGenerateCommand.class, PlanCompareCommand.class},
        description = {"Capacity plan: for each server (model x class of service) the accelerator, replicas and batch "
                + "size at least cost meeting its ITL/TTFT/TPS targets, with unlimited or limited accelerators "
                + "(Inferno's queueing model; its greedy solver, or an exact MILP). See docs/planner.md.",
                "Example: flotilla plan ../shared/testdata/inferno/inferno-v1-small-sampledata-849e1e8 --solver milp "
                        + "--out plan.json",
                "Exit status: 0 when every server has an allocation, 1 when some server has none, 2 on bad input."})
final class PlanCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|DIR",
            description = "Inferno's sample-data directory (the six *-data.json files), its SystemData JSON "
                    + "(system-data.json), or Flotilla's YAML (.yaml/.yml).")
    Path input;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Also write the allocation as Inferno's solution JSON (the shape of solution-data.json).")
    Path out;

    @Option(names = "--unlimited", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Override the input's optimizer.unlimited: plan with unlimited accelerators (--unlimited) "
                    + "or with the capacity given (--unlimited=false).")
    Boolean unlimited;

    @Option(names = "--solver", paramLabel = "NAME",
            description = "Override the solver the input's optimizer settings choose: greedy (Inferno's), milp (exact, "
                    + "one accelerator per server, serving as many servers as fit first), milp-same-service (exact, "
                    + "the least cost serving what the greedy serves), milp-hetero (exact, a server may mix "
                    + "accelerators) or unlimited "
                    + "(each server its cheapest candidate, capacity ignored). Default: milp-hetero when "
                    + "optimizer.heterogeneous, milp when optimizer.milpSolver, else unlimited or greedy.")
    String solver;

    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "60",
            description = "Time limit of the MILP solvers, all stages together (default: ${DEFAULT-VALUE}); when it "
                    + "runs out they answer the best allocation found, and say so.")
    long timeLimitSeconds;

    @Override
    public Integer call() throws IOException {
        if (input == null) {
            throw new IllegalArgumentException("FILE|DIR missing (expected: a problem to plan, or a subcommand: fit, "
                    + "generate, compare; see flotilla plan --help)");
        }
        Problem problem = ProblemReader.read(input);
        if (unlimited != null) {
            problem = problem.withOptimizer(problem.optimizer().withUnlimited(unlimited));
        }
        if (timeLimitSeconds < 1) {
            throw new IllegalArgumentException("--time-limit: " + timeLimitSeconds + " (expected: >= 1 second)");
        }
        Solver chosen = Solvers.named(solver == null ? Solvers.nameFor(problem.optimizer()) : solver,
                problem.optimizer(), Duration.ofSeconds(timeLimitSeconds));
        PrintWriter err = spec.commandLine().getErr();
        if (!problem.optimizer().unlimited() && problem.capacity().isEmpty() && !chosen.name().equals("unlimited")) {
            err.println("flotilla plan: no capacity given and optimizer.unlimited is false: no accelerator is "
                    + "available (give capacity, or plan with --unlimited)");
        }
        Solution solution;
        if (chosen instanceof MilpPlanSolver milp) {
            MilpPlanSolver.Outcome outcome = milp.solveDetailed(problem, Candidates.all(problem));
            if (outcome.greedyKept() && milp.isAtGreedyService()) {
                err.println("flotilla plan: the " + milp.name() + " solver found no allocation cheaper than the "
                        + "greedy's at its service (" + outcome.result().status() + "): this is the greedy's allocation"
                        + (outcome.result().status() == SolveStatus.OPTIMAL ? ""
                                : " (a larger --time-limit may find a cheaper one)"));
            } else if (outcome.greedyKept()) {
                err.println("flotilla plan: the " + milp.name() + " solver reached its time limit ("
                        + timeLimitSeconds + " s) with an allocation serving worse than the greedy's: this is the "
                        + "greedy's allocation (a larger --time-limit may find a better one)");
            } else if (outcome.result().status() != SolveStatus.OPTIMAL) {
                err.println("flotilla plan: the " + milp.name() + " solver reached its time limit ("
                        + timeLimitSeconds + " s): this is the best allocation it found, not proven optimal "
                        + "(a larger --time-limit may find a better one)");
            }
            solution = outcome.solution();
        } else {
            solution = chosen.solve(problem, Candidates.all(problem));
        }
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.print(PlanTable.render(problem, solution));
        if (out != null) {
            try {
                SolutionJson.write(problem, solution, out);
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + out + ": cannot write (" + e.getMessage() + ")", e);
            }
            stdout.println("wrote " + out);
        }
        stdout.flush();
        err.flush();
        return solution.unallocated().isEmpty() ? 0 : 1;
    }
}
