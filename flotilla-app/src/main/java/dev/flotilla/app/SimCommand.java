package dev.flotilla.app;

import dev.flotilla.bench.sim.FleetSimulator;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.bench.sim.SimReport;
import dev.flotilla.bench.sim.SimReportFiles;
import dev.flotilla.bench.sim.SimRequest;
import dev.flotilla.bench.sim.SloTargets;
import dev.flotilla.bench.sim.SyntheticWorkload;
import dev.flotilla.bench.sim.TraceFile;
import dev.flotilla.protocol.Endpoint;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla sim}: a discrete-event simulation of a fleet of simulated-GPU nodes behind the
 * gateway's routing, fed by a trace or a synthetic workload, reporting what {@code flotilla bench}
 * reports of a live run, in virtual time.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = {"Simulates a fleet of simulated-GPU nodes behind the gateway's routing (virtual time, "
                + "continuous batching, prefix caches, scraped telemetry) and reports TTFT, ITL, end-to-end "
                + "latency, throughput and goodput as flotilla bench does.",
                "Example: flotilla sim --fleet fleet.yaml --synthetic rate=100,duration=1h,prompt=512 --out sim-out",
                "See docs/sim.md for the fleet file."})
final class SimCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--fleet", required = true, paramLabel = "FILE",
            description = "Fleet YAML: nodes (profile, count), model, routing policy, telemetry scrape interval/delay, "
                    + "overheads.")
    Path fleet;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Workload workload;

    static final class Workload {
        @Option(names = "--trace", paramLabel = "FILE", description = "JSONL trace (the flotilla bench trace format).")
        Path trace;

        @Option(names = "--synthetic", paramLabel = "PARAMS",
                description = "Poisson workload, key=value pairs separated by commas; keys and defaults: "
                        + SyntheticWorkload.DEFAULTS + " (durations take ms, s, m or h).")
        String synthetic;
    }

    @Option(names = "--out", paramLabel = "DIR", description = "Write result.json and requests.jsonl here.")
    Path out;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the synthetic workload and of every request's sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--policy", paramLabel = "NAME", description = "Routing policy, instead of the fleet file's.")
    String policy;

    @Option(names = "--endpoint", defaultValue = "chat",
            description = "chat or completions, as flotilla bench would send (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", description = "Goodput objective: time to first token.")
    Double sloTtftMs;

    @Option(names = "--slo-itl-ms", paramLabel = "MS",
            description = "Goodput objective: time per output token after the first.")
    Double sloItlMs;

    @Option(names = "--slo-e2el-ms", paramLabel = "MS", description = "Goodput objective: end-to-end latency.")
    Double sloE2elMs;

    @Override
    public Integer call() {
        Endpoint ep = switch (endpoint.toLowerCase(Locale.ROOT)) {
            case "chat" -> Endpoint.CHAT;
            case "completions" -> Endpoint.COMPLETIONS;
            default -> throw new ParameterException(spec.commandLine(),
                    "--endpoint: '" + endpoint + "' (expected chat or completions)");
        };
        SloTargets slo;
        FleetSpec spec;
        try {
            slo = new SloTargets(sloTtftMs, sloItlMs, sloE2elMs);
            spec = FleetSpec.load(fleet);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (policy != null) {
            spec = spec.withPolicy(policy);
        }
        FleetSimulator.Builder builder = FleetSimulator.builder(spec).seed(seed).endpoint(ep).slo(slo)
                .describe("fleet_file", fleet.toString());
        PrintWriter console = this.spec.commandLine().getOut();
        long started = System.nanoTime();
        SimReport report;
        try (TraceFile trace = workload.trace == null ? null : open(workload.trace);
             SimReportFiles.RequestLog log = out == null ? null : SimReportFiles.requestLog(out)) {
            Iterator<SimRequest> requests;
            if (trace != null) {
                builder.describe("trace", workload.trace.toString());
                requests = trace;
            } else {
                SyntheticWorkload synthetic = SyntheticWorkload.parse(workload.synthetic, seed);
                builder.describe("synthetic", synthetic.describe());
                requests = synthetic.iterator();
            }
            if (log != null) {
                builder.results(log);
            }
            report = builder.build().run(requests);
        }
        double wallSeconds = (System.nanoTime() - started) / 1e9;
        console.print(report.table());
        console.printf(Locale.ROOT, "simulated %.1f s of traffic (%d requests) in %.1f s%n", report.duration(),
                report.completed() + report.failed(), wallSeconds);
        if (out != null) {
            Path result = SimReportFiles.writeResult(out, report);
            console.println("wrote " + result + " and " + out.resolve(SimReportFiles.REQUESTS_JSONL));
        }
        console.flush();
        return 0;
    }

    private static TraceFile open(Path file) {
        try {
            return TraceFile.open(file);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
