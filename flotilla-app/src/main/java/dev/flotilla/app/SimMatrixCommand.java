package dev.flotilla.app;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.bench.sim.matrix.MatrixFiles;
import dev.flotilla.bench.sim.matrix.MatrixRunner;
import dev.flotilla.bench.sim.matrix.MatrixSpec;
import dev.flotilla.bench.sim.matrix.PolicyCheck;
import dev.flotilla.bench.sim.matrix.SimWorkload;
import dev.flotilla.bench.sim.matrix.SimulatorFactory;
import dev.flotilla.bench.trace.RateSchedule;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla sim matrix}: every fleet x workload x load x routing policy in the simulator, the
 * same trace for every policy, and tables, plots and an optional check of one policy against the
 * issue's rules.
 */
@Command(name = "matrix", mixinStandardHelpOptions = true,
        description = {"Compares routing policies in the simulator: runs every fleet x workload x load x policy (the same "
                + "trace for every policy), writes cells.csv, cells.json, report.md and plots into --out; with --ours, "
                + "check.md lists where that policy is not within 3%% of the best or, on heterogeneous fleets at 80%% "
                + "load and above, not at most half of the baseline's p99 TTFT. Exit code 0 however the policies do.",
                "Example: flotilla sim matrix --fleets examples/fleets/8xA100.yaml --policies least-requests "
                        + "--duration 1m --out matrix-out",
                "See docs/sim.md, \"Comparing policies\"."})
final class SimMatrixCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--fleets", required = true, split = ",", paramLabel = "FILE",
            description = "Fleet YAML files, comma-separated; each is named by its file name without .yaml.")
    List<Path> fleets;

    @Option(names = "--workloads", split = ",", paramLabel = "NAME",
            defaultValue = "short-chat,long-prompt,multi-turn,two-tenants",
            description = "Workloads: short-chat, long-prompt, multi-turn, two-tenants (default: all).")
    List<String> workloads;

    @Option(names = "--loads", split = ",", paramLabel = "PERCENT", defaultValue = "50,80,95,110",
            description = "Offered loads in percent of each fleet's capacity for the workload (default: ${DEFAULT-VALUE}).")
    List<Double> loads;

    @Option(names = "--policies", split = ",", paramLabel = "NAME", defaultValue = FleetSpec.DEFAULT_POLICY,
            description = "Routing policies to compare (default: ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--duration", defaultValue = "5m", paramLabel = "TIME",
            description = "Simulated time each trace offers requests, e.g. 90s, 5m (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS",
            description = "Goodput objective for TTFT in every workload (default: each workload's own).")
    Double sloTtftMs;

    @Option(names = "--slo-itl-ms", paramLabel = "MS",
            description = "Goodput objective for time per output token in every workload (default: each workload's own).")
    Double sloItlMs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the files go.")
    Path out;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seeds every trace and every request's sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N",
            description = "Cells simulated at once (default: the available processors).")
    Integer threads;

    @Option(names = "--ours", paramLabel = "POLICY",
            description = "Check this policy: list every cell where it is not within 3%% of the best on a metric, "
                    + "and where on a heterogeneous fleet at >= 80%% load its p99 TTFT is above half of --baseline's.")
    String ours;

    @Option(names = "--baseline", defaultValue = "round-robin", paramLabel = "POLICY",
            description = "The policy of the p99 TTFT rule of --ours (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Override
    public Integer call() throws IOException {
        int pool = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (pool < 1) {
            throw new ParameterException(spec.commandLine(), "--threads: " + pool + " (expected >= 1)");
        }
        double seconds;
        try {
            seconds = RateSchedule.seconds(duration);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--duration: " + e.getMessage());
        }
        List<MatrixSpec.NamedFleet> named = new ArrayList<>();
        for (Path file : fleets) {
            try {
                named.add(new MatrixSpec.NamedFleet(fleetName(file), FleetSpec.load(file)));
            } catch (UncheckedIOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        List<SimWorkload> chosen = workloads.stream().map(SimWorkload::named).toList();
        if (ours != null && !policies.contains(ours)) {
            throw new ParameterException(spec.commandLine(), "--ours: '" + ours + "' (expected one of --policies: "
                    + String.join(", ", policies) + ")");
        }
        MatrixSpec matrix = new MatrixSpec(named, chosen, loads, policies, seconds, seed,
                new Slo(sloTtftMs, sloItlMs, null));
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        console.printf(Locale.ROOT, "%d cells (%d fleets x %d workloads x %d loads x %d policies), %s of traffic each, "
                        + "%d threads%n", matrix.cells(), named.size(), chosen.size(), loads.size(), policies.size(),
                duration, pool);
        console.flush();
        long started = System.nanoTime();
        MatrixRunner.MatrixResult result = new MatrixRunner(SimulatorFactory.of(SchedulingPlugins.builtIn()), pool,
                line -> {
                    err.println(line);
                    err.flush();
                }).run(matrix);
        PolicyCheck check = ours == null ? null : PolicyCheck.of(ours, baseline);
        List<Path> written = MatrixFiles.write(out, result, check);
        console.printf(Locale.ROOT, "ran %d cells in %.1f s; wrote %d files to %s%n", result.cells().size(),
                (System.nanoTime() - started) / 1e9, written.size(), out);
        if (check != null) {
            List<PolicyCheck.Violation> violations = check.check(result.cells());
            console.printf(Locale.ROOT, "check of %s: %d violations (%s)%n", ours, violations.size(),
                    out.resolve(MatrixFiles.CHECK));
            console.print(MatrixFiles.violationLines(violations));
        }
        console.flush();
        return 0;
    }

    private static String fleetName(Path file) {
        String name = file.getFileName().toString();
        return name.replaceFirst("\\.(yaml|yml)$", "");
    }
}
