package dev.flotilla.app;

import dev.flotilla.planner.bench.ProblemGenerator;
import dev.flotilla.planner.io.InfernoJson;
import dev.flotilla.planner.model.Problem;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flotilla plan generate}: a seeded random planning problem as Inferno's SystemData document. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Write a seeded random planning problem (Inferno's SystemData JSON) for measuring the solvers: "
                + "the same options give the same file. See docs/benchmarks.md, \"Capacity planner\".",
                "Example: flotilla plan generate --servers 200 --types 20 --seed 7 --out gen.json && "
                        + "flotilla plan compare gen.json"})
final class PlanGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--servers", paramLabel = "N", defaultValue = "200", description = "Servers (default: ${DEFAULT-VALUE}).")
    int servers;

    @Option(names = "--types", paramLabel = "N", defaultValue = "20",
            description = "Accelerator types (default: ${DEFAULT-VALUE}).")
    int types;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--capacity-scale", paramLabel = "X", defaultValue = "1.0",
            description = "Cards per type relative to a rough estimate of what the servers need (default: "
                    + "${DEFAULT-VALUE}; smaller is scarcer).")
    double capacityScale;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the problem.")
    Path out;

    @Override
    public Integer call() {
        Problem problem = ProblemGenerator.generate(servers, types, seed, capacityScale);
        try {
            InfernoJson.writeSystemData(problem, out);
        } catch (IOException e) {
            throw new IllegalArgumentException("--out " + out + ": cannot write (" + e.getMessage() + ")", e);
        }
        spec.commandLine().getOut().println("wrote " + out + ": " + problem.servers().size() + " servers, " + types
                + " accelerator types (" + problem.accelerators().size() + " accelerators), "
                + problem.models().size() + " model entries, seed " + seed);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
