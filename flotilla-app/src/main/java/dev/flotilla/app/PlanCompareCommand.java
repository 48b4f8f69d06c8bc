package dev.flotilla.app;

import dev.flotilla.planner.bench.PlanComparison;
import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.Solver;
import dev.flotilla.planner.solver.Solvers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla plan compare}: several solvers on one problem with the same candidates: sizing and
 * solve times, totals, servers served, and how many servers the others place differently from the first.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Run several solvers on one problem and compare them: candidate sizing time (one thread and "
                + "parallel), solve time (best and median of --repeat runs), total cost, servers served per priority, "
                + "best effort, unallocated, and the share of servers placed differently from the first solver.",
                "Example: flotilla plan compare ../shared/testdata/inferno/inferno-v2-perfparms-large-sampledata-125ab02"})
final class PlanCompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "The problem, as for flotilla plan.")
    Path input;

    @Option(names = "--solvers", paramLabel = "A,B,...", split = ",", defaultValue = "greedy,milp,milp-same-service,milp-hetero",
            description = "Solvers to run, the first being the reference (default: ${DEFAULT-VALUE}).")
    List<String> solvers;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Runs of each step; times are the best and the median (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--unlimited", arity = "0..1", fallbackValue = "true", paramLabel = "true|false",
            description = "Override the input's optimizer.unlimited.")
    Boolean unlimited;

    @Option(names = "--time-limit", paramLabel = "SECONDS", defaultValue = "60",
            description = "Time limit of each MILP solve (default: ${DEFAULT-VALUE}); the status column says when it "
                    + "ran out.")
    long timeLimitSeconds;

    @Override
    public Integer call() {
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat: " + repeat + " (expected: >= 1)");
        }
        if (timeLimitSeconds < 1) {
            throw new IllegalArgumentException("--time-limit: " + timeLimitSeconds + " (expected: >= 1 second)");
        }
        Problem problem = ProblemReader.read(input);
        if (unlimited != null) {
            problem = problem.withOptimizer(problem.optimizer().withUnlimited(unlimited));
        }
        List<Solver> list = new ArrayList<>();
        for (String name : solvers) {
            list.add(Solvers.named(name.strip(), problem.optimizer(), Duration.ofSeconds(timeLimitSeconds)));
        }
        PlanComparison.Report report = new PlanComparison(System::nanoTime).run(problem, list, repeat);
        spec.commandLine().getOut().print(report.render());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
