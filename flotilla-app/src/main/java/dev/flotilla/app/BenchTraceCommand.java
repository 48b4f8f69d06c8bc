package dev.flotilla.app;

import dev.flotilla.bench.trace.RateSchedule;
import dev.flotilla.bench.trace.TenantParameters;
import dev.flotilla.bench.trace.TenantSpec;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.bench.trace.TraceSpec;
import dev.flotilla.bench.trace.TraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla bench trace}: writes a seeded, deterministic JSONL workload trace (arrivals,
 * tenants, prompt and output lengths, shared prefixes, multi-turn sessions) for {@code flotilla
 * bench --trace} and the simulator.
 */
@Command(name = "trace", mixinStandardHelpOptions = true,
        description = {"Generate a workload trace (JSONL, see docs/bench.md). The top-level options describe one "
                + "tenant, or are the defaults of every --tenant. Same options and seed give the same file, byte for byte.",
                "Example: flotilla bench trace --out t.jsonl --duration 60s --rate-schedule 0s:5,30s:20 --cv 2 "
                        + "--prompt-median 400 --prefix-groups 4 --prefix-tokens 200 --turns 3"})
final class BenchTraceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The trace file to write.")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--duration", paramLabel = "TIME", description = "Arrivals within this time, e.g. 60s, 10m.")
    String duration;

    @Option(names = "--requests", paramLabel = "N", description = "At most N records (the earliest).")
    Long requests;

    @Option(names = "--rate", paramLabel = "REQ_PER_S", description = "New conversations per second (default: 1).")
    String rate;

    @Option(names = "--rate-schedule", paramLabel = "T:R,...",
            description = "A rate changing over time in steps, e.g. 0s:10,60s:50.")
    String rateSchedule;

    @Option(names = "--cv", paramLabel = "CV",
            description = "Coefficient of variation of the gaps between arrivals: 1 Poisson, > 1 bursty (gamma) (default: 1).")
    String cv;

    @Option(names = "--prompt-median", description = "Median tokens of each user turn (log-normal) (default: 256).")
    String promptMedian;

    @Option(names = "--prompt-sigma", description = "Spread (sigma of the log) of prompt lengths (default: 0.5).")
    String promptSigma;

    @Option(names = "--prompt-max", description = "Cap on each user turn's tokens.")
    String promptMax;

    @Option(names = "--prompt-table", paramLabel = "FILE", description = "Prompt lengths from a value,weight table instead.")
    String promptTable;

    @Option(names = "--output-median", description = "Median output tokens (log-normal) (default: 128).")
    String outputMedian;

    @Option(names = "--output-sigma", description = "Spread (sigma of the log) of output lengths (default: 0.5).")
    String outputSigma;

    @Option(names = "--output-max", description = "Cap on output tokens.")
    String outputMax;

    @Option(names = "--output-table", paramLabel = "FILE", description = "Output lengths from a value,weight table instead.")
    String outputTable;

    @Option(names = "--prefix-groups", paramLabel = "K", description = "K shared system prompts (default: 0, none).")
    String prefixGroups;

    @Option(names = "--prefix-tokens", paramLabel = "N", description = "Tokens of each shared system prompt.")
    String prefixTokens;

    @Option(names = "--prefix-share", paramLabel = "P",
            description = "Share of conversations that start with a shared system prompt (default: 1).")
    String prefixShare;

    @Option(names = "--turns", paramLabel = "N",
            description = "Turns per conversation; each extends the previous prompt and answer (default: 1).")
    String turns;

    @Option(names = "--think-time", paramLabel = "TIME",
            description = "Mean gap between turns, exponential (default: 10s).")
    String thinkTime;

    @Option(names = "--tenant-name", description = "Name of the single tenant (default: default).")
    String tenantName;

    @Option(names = "--priority", description = "Priority of the single tenant (default: 0).")
    String priority;

    @Option(names = "--tenant", paramLabel = "KEY=VALUE,...",
            description = "A tenant (repeatable): name=..,rate=..,priority=.. and any of the options above without "
                    + "'--' (rate-schedule points separated by ';'). Unset keys take the top-level options.")
    List<String> tenants;

    @Override
    public Integer call() {
        TraceSpec traceSpec;
        try {
            traceSpec = spec();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<TraceRecord> records = TraceGenerator.generate(traceSpec);
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("--out: " + out + " (" + e.getMessage() + ")", e);
        }
        TraceWriter.write(out, records);
        Map<String, Long> perTenant = records.stream()
                .collect(Collectors.groupingBy(TraceRecord::tenant, LinkedHashMap::new, Collectors.counting()));
        double last = records.isEmpty() ? 0 : records.getLast().arrival();
        spec.commandLine().getOut().printf("wrote %d records over %.1f s to %s (%s)%n", records.size(), last, out,
                perTenant.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private TraceSpec spec() {
        Map<String, String> defaults = new LinkedHashMap<>();
        put(defaults, "name", tenantName);
        put(defaults, "priority", priority);
        put(defaults, "rate", rate);
        put(defaults, "rate-schedule", rateSchedule);
        put(defaults, "cv", cv);
        put(defaults, "prompt-median", promptMedian);
        put(defaults, "prompt-sigma", promptSigma);
        put(defaults, "prompt-max", promptMax);
        put(defaults, "prompt-table", promptTable);
        put(defaults, "output-median", outputMedian);
        put(defaults, "output-sigma", outputSigma);
        put(defaults, "output-max", outputMax);
        put(defaults, "output-table", outputTable);
        put(defaults, "prefix-groups", prefixGroups);
        put(defaults, "prefix-tokens", prefixTokens);
        put(defaults, "prefix-share", prefixShare);
        put(defaults, "turns", turns);
        put(defaults, "think-time", thinkTime);
        if (rate != null && rateSchedule != null) {
            throw new IllegalArgumentException("--rate and --rate-schedule: both given (expected one)");
        }
        Path here = Path.of("").toAbsolutePath();
        List<TenantSpec> specs = new ArrayList<>();
        if (tenants == null || tenants.isEmpty()) {
            specs.add(TenantParameters.tenant(defaults, Map.of(), here, "tenant"));
        } else {
            defaults.remove("name");
            for (String t : tenants) {
                Map<String, String> overrides = TenantParameters.parse(t, "--tenant");
                if (!overrides.containsKey("name")) {
                    throw new IllegalArgumentException("--tenant: '" + t + "' (expected a name=..., e.g. name=batch,rate=2)");
                }
                specs.add(TenantParameters.tenant(defaults, overrides, here, "--tenant"));
            }
        }
        if (duration == null && requests == null) {
            throw new IllegalArgumentException("bounds: none (expected --duration, --requests or both)");
        }
        double seconds = duration == null ? Double.POSITIVE_INFINITY : RateSchedule.seconds(duration);
        return new TraceSpec(seed, seconds, requests == null ? Long.MAX_VALUE : requests, specs);
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
