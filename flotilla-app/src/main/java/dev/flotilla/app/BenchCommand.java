package dev.flotilla.app;

import dev.flotilla.bench.live.LiveBench;
import dev.flotilla.bench.live.LiveBenchPlan;
import dev.flotilla.bench.live.ProgressDisplay;
import dev.flotilla.bench.live.Workload;
import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.ConsoleReport;
import dev.flotilla.bench.report.ReportFiles;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.trace.RateSchedule;
import dev.flotilla.bench.trace.TraceReader;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.protocol.Endpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla bench}: drives any OpenAI-compatible server with streamed requests at a rate, at
 * a concurrency or from a trace, and reports TTFT, inter-token and end-to-end latency percentiles,
 * throughput and goodput (console; {@code --out} adds JSON, Markdown and PNG charts). Ctrl-C stops
 * it and prints the report of what finished. Subcommands generate traces and compare endpoints.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        subcommands = {BenchTraceCommand.class, BenchCompareCommand.class},
        description = {"Load test any OpenAI-compatible server with streamed requests: a Poisson --rate, a fixed "
                + "--concurrency or a --trace replay, bounded by --requests and/or --duration. Reports TTFT, "
                + "time per output token, inter-token and end-to-end latency (mean, p50, p90, p95, p99, max), "
                + "throughput and goodput against --slo-* objectives. See docs/bench.md.",
                "Example: flotilla bench --url http://127.0.0.1:8080 --rate 5 --duration 30s --out bench-out"})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "BASE", description = "Base URL of the server, e.g. http://127.0.0.1:8080 "
            + "(a trailing /v1 is fine).")
    String url;

    @Option(names = "--model", description = "Model of every request (default: the first one GET /v1/models lists).")
    String model;

    @Option(names = "--endpoint", defaultValue = "chat",
            description = "chat (/v1/chat/completions) or completions (/v1/completions) (default: ${DEFAULT-VALUE}).")
    String endpoint;

    @Option(names = "--rate", paramLabel = "REQ_PER_S", description = "Open loop: Poisson arrivals at this rate.")
    Double rate;

    @Option(names = "--concurrency", paramLabel = "N", description = "Closed loop: N requests in flight at all times.")
    Integer concurrency;

    @Option(names = "--trace", paramLabel = "FILE", description = "Open loop: replay a JSONL trace at its arrival times.")
    Path trace;

    @Option(names = "--time-scale", defaultValue = "1", paramLabel = "F",
            description = "Multiply the trace's arrival times by F (0.5 replays twice as fast) (default: ${DEFAULT-VALUE}).")
    double timeScale;

    @Option(names = "--requests", paramLabel = "N",
            description = "Send at most N requests (default: 100 for --rate and --concurrency without --duration; "
                    + "the whole trace for --trace).")
    Long requests;

    @Option(names = "--duration", paramLabel = "TIME",
            description = "Send for at most this long, e.g. 30s, 5m; requests in flight then finish.")
    String duration;

    @Option(names = "--prompt", description = "Prompt text of every --rate/--concurrency request (default: synthetic "
            + "text of --prompt-tokens tokens, different for each request).")
    String prompt;

    @Option(names = "--prompt-tokens", defaultValue = "128", paramLabel = "N",
            description = "Length of the synthetic prompt (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--max-tokens", defaultValue = "64", paramLabel = "N",
            description = "max_tokens of every --rate/--concurrency request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the --rate arrivals (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--timeout", defaultValue = "120s", paramLabel = "TIME",
            description = "A request not finished by then fails as 'timeout' (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--max-in-flight", defaultValue = "" + LiveBenchPlan.DEFAULT_MAX_IN_FLIGHT, paramLabel = "N",
            description = "Open loop: an arrival finding N requests in flight is not sent and counts as "
                    + "'client_backlog'; also the connection pool size (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--api-key", description = "Sent as 'Authorization: Bearer KEY'.")
    String apiKey;

    @Option(names = "--ignore-eos", description = "Send vLLM's ignore_eos: true (servers that honour it generate max_tokens).")
    boolean ignoreEos;

    @Option(names = "--seed-requests", description = "Send every request a sampling seed derived from its id (trace "
            + "record id, or req-N), as flotilla sim seeds the same request, so that both generate the same text.")
    boolean seedRequests;

    @Option(names = "--slo-ttft-ms", paramLabel = "MS", description = "Goodput objective: time to first token.")
    Double sloTtftMs;

    @Option(names = "--slo-itl-ms", paramLabel = "MS",
            description = "Goodput objective: the request's time per output token (mean inter-token latency).")
    Double sloItlMs;

    @Option(names = "--slo-e2el-ms", paramLabel = "MS", description = "Goodput objective: end-to-end latency.")
    Double sloE2elMs;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Also write result.json, report.md, requests.jsonl and PNG charts into DIR.")
    Path out;

    @Option(names = "--no-progress", description = "No progress display on stderr.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException {
        LiveBenchPlan plan;
        Slo slo;
        try {
            slo = new Slo(sloTtftMs, sloItlMs, sloE2elMs);
            plan = plan();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter stdout = spec.commandLine().getOut();
        LiveBench bench = LiveBench.create();
        CountDownLatch reported = new CountDownLatch(1);
        // Ctrl-C: stop sending, reset what is in flight, and hold the exit until the report is out
        Thread onInterrupt = new Thread(() -> {
            bench.cancel();
            try {
                reported.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "flotilla-bench-interrupt");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            if (model == null) {
                plan = withModel(plan, bench.firstModel(plan.baseUrl()));
            }
            Instant started = Instant.now();
            LiveBench.Run run;
            ProgressDisplay progress = noProgress ? null
                    : ProgressDisplay.start(bench::progress, System.err, ProgressDisplay.stderrIsTerminal(), 5);
            try {
                run = bench.run(plan);
            } finally {
                if (progress != null) {
                    progress.close();
                }
            }
            Map<String, Object> description = new LinkedHashMap<>();
            description.put("date", started.toString());
            description.putAll(run.description());
            BenchReport report = BenchReport.of(run.measurements(), run.durationSeconds(), slo, description);
            stdout.print(ConsoleReport.format(report));
            if (run.cancelled()) {
                stdout.println("(interrupted: the figures cover what finished before Ctrl-C)");
            }
            if (out != null) {
                try {
                    List<Path> files = ReportFiles.write(out, report, run.measurements());
                    stdout.println("wrote " + files.size() + " files to " + out + ": "
                            + String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList()));
                } catch (IOException | RuntimeException e) {
                    stdout.println("--out " + out + ": could not write the report files (" + e + ")");
                }
            }
            stdout.flush();
            if (run.cancelled()) {
                return 130;
            }
            return report.failed() == 0 ? 0 : 1;
        } finally {
            reported.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException e) {
                // already shutting down (Ctrl-C): the hook has been let go by the count-down above
            }
            bench.close();
        }
    }

    private LiveBenchPlan plan() {
        List<String> problems = new ArrayList<>();
        if (url == null) {
            problems.add("--url: missing (expected the server's base URL, e.g. http://127.0.0.1:8080)");
        }
        int modes = (rate != null ? 1 : 0) + (concurrency != null ? 1 : 0) + (trace != null ? 1 : 0);
        if (modes != 1) {
            problems.add("mode: " + (modes == 0 ? "none" : "several") + " (expected exactly one of --rate, --concurrency, --trace)");
        }
        Endpoint ep = switch (endpoint) {
            case "chat" -> Endpoint.CHAT;
            case "completions" -> Endpoint.COMPLETIONS;
            default -> {
                problems.add("--endpoint: '" + endpoint + "' (expected chat or completions)");
                yield Endpoint.CHAT;
            }
        };
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Duration maxDuration = duration == null ? null : seconds("--duration", duration);
        long maxRequests = requests != null ? requests
                : (trace == null && maxDuration == null ? 100 : Long.MAX_VALUE);
        TraceRecord.Prompt p = prompt != null ? new TraceRecord.Text(prompt) : TraceRecord.Synthetic.of(promptTokens);
        Workload workload;
        if (rate != null) {
            workload = new Workload.Rate(rate, seed, new Workload.Template(p, maxTokens));
        } else if (concurrency != null) {
            workload = new Workload.Concurrency(concurrency, new Workload.Template(p, maxTokens));
        } else {
            if (!Files.isRegularFile(trace)) {
                throw new IllegalArgumentException("--trace: " + trace + " (no such file)");
            }
            workload = new Workload.Replay(TraceReader.read(trace), timeScale, trace.toString());
        }
        int inFlightBound = concurrency != null ? Math.max(maxInFlight, concurrency) : maxInFlight;
        URI base;
        try {
            base = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--url: '" + url + "' (" + e.getMessage() + ")", e);
        }
        // without --model the placeholder lets everything else be checked first; call() then asks the server
        return new LiveBenchPlan(base, ep, model == null ? "?" : model, workload, maxRequests, maxDuration,
                seconds("--timeout", timeout), inFlightBound, apiKey, ignoreEos, seedRequests);
    }

    private static LiveBenchPlan withModel(LiveBenchPlan p, String model) {
        return new LiveBenchPlan(p.baseUrl(), p.endpoint(), model, p.workload(), p.maxRequests(), p.maxDuration(),
                p.requestTimeout(), p.maxInFlight(), p.apiKey(), p.ignoreEos(), p.seedRequests());
    }

    private static Duration seconds(String option, String text) {
        try {
            return Duration.ofNanos(Math.round(RateSchedule.seconds(text) * 1e9));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}
