package dev.flotilla.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.bench.report.Agreement;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSimulator;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.bench.sim.PromptRenderer;
import dev.flotilla.bench.sim.SimReport;
import dev.flotilla.bench.sim.TraceRequests;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceReader;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.protocol.Endpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
@Command(name = "sim", mixinStandardHelpOptions = true, subcommands = SimMatrixCommand.class,
        description = {"Simulates a fleet of simulated-GPU nodes behind the gateway's routing (virtual time, "
                + "continuous batching, prefix caches, scraped telemetry) and reports TTFT, ITL, end-to-end "
                + "latency, throughput and goodput as flotilla bench does.",
                "Example: flotilla sim --fleet fleet.yaml --synthetic rate=100,duration=1h,prompt=512 --out sim-out",
                "See docs/sim.md for the fleet file. 'flotilla sim matrix' compares routing policies."})
final class SimCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // required, but checked in call(): picocli would otherwise demand it before the matrix subcommand too
    @Option(names = "--fleet", paramLabel = "FILE",
            description = "Fleet YAML: nodes (profile, count), model, routing policy, telemetry scrape interval/delay, "
                    + "overheads.")
    Path fleet;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Workload workload;

    static final class Workload {
        @Option(names = "--trace", paramLabel = "FILE",
                description = "JSONL trace (docs/bench.md), e.g. from flotilla bench trace.")
        Path trace;

        @Option(names = "--synthetic", paramLabel = "PARAMS",
                description = "A generated one-tenant trace: duration=TIME and/or requests=N, and any flotilla bench "
                        + "trace --tenant key (rate, cv, prompt-median, prompt-sigma, output-median, prefix-groups, "
                        + "prefix-tokens, turns, think-time, ...), e.g. rate=100,duration=1h,prompt-median=512.")
        String synthetic;
    }

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write flotilla bench's files (result.json, report.md, requests.jsonl, charts) and sim.json here.")
    Path out;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of the synthetic workload and of every request's sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--policy", paramLabel = "NAME", description = "Routing policy, instead of the fleet file's.")
    String policy;

    @Option(names = "--endpoint", defaultValue = "chat",
            description = "chat or completions, as flotilla bench would send (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--prompt-text", defaultValue = "compact",
            description = "How synthetic prompts become text: compact (one mark per token, fastest) or bench "
                    + "(the words flotilla bench sends) (default: ${DEFAULT-VALUE}).")
    String promptText;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", description = "Goodput objective: time to first token.")
    Double sloTtftMs;

    @Option(names = "--slo-itl-ms", paramLabel = "MS",
            description = "Goodput objective: time per output token after the first.")
    Double sloItlMs;

    @Option(names = "--slo-e2el-ms", paramLabel = "MS", description = "Goodput objective: end-to-end latency.")
    Double sloE2elMs;

    @Option(names = "--compare-live", paramLabel = "RESULT_JSON",
            description = "result.json of a live flotilla bench run of the same trace: print the relative differences "
                    + "of p50/p90 TTFT and end-to-end latency, exit 1 when one exceeds --tolerance.")
    Path compareLive;

    @Option(names = "--tolerance", defaultValue = "0.10", paramLabel = "FRACTION",
            description = "Largest relative difference --compare-live accepts (default: ${DEFAULT-VALUE}).")
    double tolerance;

    private static final ObjectMapper LIVE_JSON = new ObjectMapper();

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws IOException {
        if (fleet == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--fleet=FILE'");
        }
        if (workload == null) {
            throw new ParameterException(spec.commandLine(),
                    "Missing required argument (specify one of these): (--trace=FILE | --synthetic=PARAMS)");
        }
        if (!(tolerance >= 0)) {
            throw new ParameterException(spec.commandLine(), "--tolerance: " + tolerance + " (expected a fraction >= 0)");
        }
        Endpoint ep = switch (endpoint.toLowerCase(Locale.ROOT)) {
            case "chat" -> Endpoint.CHAT;
            case "completions" -> Endpoint.COMPLETIONS;
            default -> throw new ParameterException(spec.commandLine(),
                    "--endpoint: '" + endpoint + "' (expected chat or completions)");
        };
        PromptRenderer renderer = switch (promptText.toLowerCase(Locale.ROOT)) {
            case "compact" -> PromptRenderer.compact();
            case "bench" -> PromptRenderer.bench();
            default -> throw new ParameterException(spec.commandLine(),
                    "--prompt-text: '" + promptText + "' (expected compact or bench)");
        };
        Slo slo;
        FleetSpec fleetSpec;
        List<TraceRecord> records;
        try {
            slo = new Slo(sloTtftMs, sloItlMs, sloE2elMs);
            fleetSpec = FleetSpec.load(fleet);
            records = workload.trace != null ? TraceReader.read(workload.trace)
                    : TraceGenerator.generate(TraceRequests.syntheticSpec(workload.synthetic, seed,
                    Path.of("").toAbsolutePath()));
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        if (policy != null) {
            fleetSpec = fleetSpec.withPolicy(policy);
        }
        FleetSimulator simulator = FleetSimulator.builder(fleetSpec).seed(seed).endpoint(ep).slo(slo)
                .promptRenderer(renderer).describe("fleet_file", fleet.toString())
                .describe(workload.trace != null ? "trace" : "synthetic",
                        workload.trace != null ? workload.trace.toString() : workload.synthetic)
                .build();
        PrintWriter console = this.spec.commandLine().getOut();
        long started = System.nanoTime();
        SimReport report = simulator.run(TraceRequests.of(records));
        double wallSeconds = (System.nanoTime() - started) / 1e9;
        console.print(report.table());
        console.printf(Locale.ROOT, "simulated %.1f s of traffic (%d requests) in %.1f s%n",
                report.bench().duration(), records.size(), wallSeconds);
        if (out != null) {
            List<Path> written = report.write(out);
            console.println("wrote " + written.size() + " files to " + out);
        }
        if (compareLive != null) {
            Agreement agreement = Agreement.of(LIVE_JSON.readValue(compareLive.toFile(), Map.class),
                    report.bench().toJson(), tolerance);
            console.println("============ sim vs live (" + compareLive + ") ============");
            console.print(agreement.table());
            console.flush();
            return agreement.agrees() ? 0 : 1;
        }
        console.flush();
        return 0;
    }
}
