package dev.flotilla.app;

import dev.flotilla.bench.BenchPlan;
import dev.flotilla.bench.LoadGenerator;
import dev.flotilla.bench.TargetStats;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla bench compare}: sends the same bounded closed-loop load to one or more OpenAI
 * endpoints, in alternating rounds, and reports throughput, latency, TTFT and inter-token latency
 * side by side (how scripts/bench-gateway-overhead.sh measures the gateway against nginx).
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Load test: the same closed-loop load to each --target in alternating rounds; prints "
                + "requests/s, latency percentiles, TTFT and inter-token latency, and each target against the first.",
                "Example: flotilla bench compare --target node=http://127.0.0.1:8001 --target gateway=http://127.0.0.1:8080 "
                        + "--model sim-llama-2-7b --requests 2000 --concurrency 32"})
final class BenchCompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--target", required = true, paramLabel = "NAME=URL",
            description = "A named base URL, e.g. gateway=http://127.0.0.1:8080 (repeatable; the first is the baseline).")
    List<String> targets;

    @Option(names = "--model", required = true, description = "Model field of every request.")
    String model;

    @Option(names = "--chat", description = "Use /v1/chat/completions (default: /v1/completions).")
    boolean chat;

    @Option(names = "--stream", description = "Streamed requests: measures TTFT and inter-token latency.")
    boolean stream;

    @Option(names = "--prompt", defaultValue = "Once upon a time", description = "Prompt (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "16", description = "max_tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--concurrency", defaultValue = "16", description = "Requests in flight (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--requests", defaultValue = "1000",
            description = "Requests per target per round (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "2000",
            description = "Warm-up requests per target, not recorded (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--rounds", defaultValue = "5", description = "Rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() {
        List<BenchPlan.Target> parsed = new ArrayList<>();
        for (String t : targets) {
            int eq = t.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--target: '" + t + "' (expected NAME=URL)");
            }
            try {
                parsed.add(new BenchPlan.Target(t.substring(0, eq), URI.create(t.substring(eq + 1))));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--target: '" + t + "' (" + e.getMessage() + ")");
            }
        }
        BenchPlan plan;
        try {
            plan = new BenchPlan(parsed, chat, model, prompt, maxTokens, stream, concurrency, requests, warmup, rounds);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (LoadGenerator generator = new LoadGenerator()) {
            Map<String, TargetStats> results = generator.run(plan);
            spec.commandLine().getOut().print(LoadGenerator.report(plan, results));
            spec.commandLine().getOut().flush();
            return results.values().stream().allMatch(s -> s.errors() == 0) ? 0 : 1;
        }
    }
}
