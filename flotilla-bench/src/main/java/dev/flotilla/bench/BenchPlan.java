package dev.flotilla.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * What a benchmark run sends: the same load to each target in turn, round after round, so that
 * targets are compared side by side under the same machine noise.
 *
 * @param targets      named base URLs (e.g. gateway=http://127.0.0.1:8080), compared in order
 * @param chat         chat completions if true, else text completions
 * @param model        the model field of every request
 * @param prompt       the prompt (or the user message)
 * @param maxTokens    max_tokens of every request
 * @param stream       streamed requests (TTFT and inter-token latency are measured) or whole responses
 * @param concurrency  requests in flight per target (closed loop)
 * @param requests     requests per target per round
 * @param warmup       requests per target before measuring (JIT warm-up), not recorded
 * @param rounds       rounds; each round runs every target once
 */
public record BenchPlan(List<Target> targets, boolean chat, String model, String prompt, int maxTokens,
                        boolean stream, int concurrency, int requests, int warmup, int rounds) {

    /** A named base URL. */
    public record Target(String name, URI baseUrl) {
    }

    public BenchPlan {
        targets = List.copyOf(targets);
        List<String> problems = new ArrayList<>();
        if (targets.isEmpty()) {
            problems.add("targets: none (expected at least one name=url)");
        }
        for (Target t : targets) {
            String scheme = t.baseUrl().getScheme();
            if (!"http".equals(scheme) || t.baseUrl().getHost() == null || t.baseUrl().getPort() < 0) {
                problems.add("targets." + t.name() + ": " + t.baseUrl() + " (expected http://host:port)");
            }
        }
        if (model == null || model.isBlank()) {
            problems.add("model: '" + model + "' (expected a model name)");
        }
        if (maxTokens < 1) {
            problems.add("maxTokens: " + maxTokens + " (expected >= 1)");
        }
        if (concurrency < 1 || concurrency > 10_000) {
            problems.add("concurrency: " + concurrency + " (expected 1..10000)");
        }
        if (requests < 1) {
            problems.add("requests: " + requests + " (expected >= 1)");
        }
        if (warmup < 0) {
            problems.add("warmup: " + warmup + " (expected >= 0)");
        }
        if (rounds < 1) {
            problems.add("rounds: " + rounds + " (expected >= 1)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The request body, built once and sent unchanged. */
    String body() {
        String p = prompt.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        String common = "\"model\":\"" + model.replace("\"", "\\\"") + "\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0" + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "");
        return chat ? "{" + common + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + p + "\"}]}"
                : "{" + common + ",\"prompt\":\"" + p + "\"}";
    }

    String path() {
        return chat ? "/v1/chat/completions" : "/v1/completions";
    }
}
