package dev.flotilla.bench.report;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one run. Names follow vLLM's {@code benchmark_serving.py} where they overlap
 * ({@code completed}, {@code duration}, {@code request_throughput}, {@code output_throughput},
 * {@code total_token_throughput}, {@code request_goodput}, {@code mean_ttft_ms},
 * {@code median_ttft_ms}, {@code p99_itl_ms}, ...), see {@link #toJson()}.
 *
 * @param run            what was run (mode, URL, model, rate, ...), written first in the JSON
 * @param duration       seconds from the first request sent to the last one finished (or to the cancel)
 * @param goodCompleted  completed requests meeting every objective of {@code slo}
 * @param usageMissing   completed requests whose server sent no usage (output tokens counted from chunks)
 */
public record BenchReport(Map<String, Object> run, double duration, long completed, long failed, long cancelled,
                          long totalInputTokens, long totalOutputTokens, long usageMissing, LatencySummary ttft,
                          LatencySummary tpot, LatencySummary itl, LatencySummary e2el, Slo slo, long goodCompleted,
                          Map<ErrorKind, Long> errors, Map<String, String> errorExamples,
                          Map<Integer, Long> httpStatuses) {

    public BenchReport {
        run = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(run));
        EnumMap<ErrorKind, Long> kinds = new EnumMap<>(ErrorKind.class);
        kinds.putAll(errors);
        errors = java.util.Collections.unmodifiableMap(kinds);
        errorExamples = Map.copyOf(errorExamples);
        httpStatuses = Map.copyOf(httpStatuses);
    }

    /** The report of what {@code m} collected over {@code durationSeconds}. */
    public static BenchReport of(Measurements m, double durationSeconds, Slo slo, Map<String, Object> run) {
        long good = 0;
        if (slo.isSet()) {
            for (RequestResult r : m.results()) {
                if (r instanceof RequestResult.Completed c && slo.met(c)) {
                    good++;
                }
            }
        }
        return new BenchReport(run, durationSeconds, m.completed(), m.failed(), m.cancelledCount(), m.inputTokens(),
                m.outputTokens(), m.usageMissing(), m.ttft().summary(), m.tpot().summary(), m.itl().summary(),
                m.e2el().summary(), slo, good, m.errors(), m.errorExamples(), m.httpStatuses());
    }

    /** Completed requests per second. */
    public double requestThroughput() {
        return rate(completed);
    }

    /** Output tokens per second. */
    public double outputThroughput() {
        return rate(totalOutputTokens);
    }

    /** Prompt and output tokens per second. */
    public double totalTokenThroughput() {
        return rate(totalInputTokens + totalOutputTokens);
    }

    /** Completed requests meeting the objectives, per second; null without objectives (as vLLM). */
    public Double requestGoodput() {
        return slo.isSet() ? rate(goodCompleted) : null;
    }

    /**
     * The share of finished requests (completed and failed) that met the objectives, 0..1; null
     * without objectives or without finished requests.
     */
    public Double goodputRatio() {
        long finished = completed + failed;
        return slo.isSet() && finished > 0 ? (double) goodCompleted / finished : null;
    }

    private double rate(long count) {
        return duration > 0 ? count / duration : 0;
    }

    /** Failed requests of every kind, zero counts left out, keyed by {@link ErrorKind#label()}. */
    public Map<String, Long> errorCounts() {
        Map<String, Long> m = new LinkedHashMap<>();
        errors.forEach((k, v) -> m.put(k.label(), v));
        return m;
    }

    /** The JSON object written to result.json: the run's parameters, then the figures. */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>(run);
        j.put("duration", duration);
        j.put("completed", completed);
        j.put("failed", failed);
        j.put("cancelled", cancelled);
        j.put("total_input_tokens", totalInputTokens);
        j.put("total_output_tokens", totalOutputTokens);
        j.put("request_throughput", requestThroughput());
        j.put("request_goodput", requestGoodput());
        j.put("goodput_ratio", goodputRatio());
        j.put("good_completed", slo.isSet() ? goodCompleted : null);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("ttft_ms", slo.ttftMs());
        s.put("itl_ms", slo.itlMs());
        s.put("e2el_ms", slo.e2elMs());
        j.put("slo", s);
        j.put("output_throughput", outputThroughput());
        j.put("total_token_throughput", totalTokenThroughput());
        j.put("usage_missing", usageMissing);
        metric(j, "ttft", ttft);
        metric(j, "tpot", tpot);
        metric(j, "itl", itl);
        metric(j, "e2el", e2el);
        j.put("errors", errorCounts());
        j.put("error_examples", new java.util.TreeMap<>(errorExamples));
        Map<String, Long> statuses = new LinkedHashMap<>();
        new java.util.TreeMap<>(httpStatuses).forEach((k, v) -> statuses.put(String.valueOf(k), v));
        j.put("http_statuses", statuses);
        return j;
    }

    private static void metric(Map<String, Object> j, String name, LatencySummary s) {
        j.put("mean_" + name + "_ms", json(s.mean()));
        j.put("median_" + name + "_ms", json(s.median()));
        j.put("std_" + name + "_ms", json(s.std()));
        j.put("p50_" + name + "_ms", json(s.p50()));
        j.put("p90_" + name + "_ms", json(s.p90()));
        j.put("p95_" + name + "_ms", json(s.p95()));
        j.put("p99_" + name + "_ms", json(s.p99()));
        j.put("max_" + name + "_ms", json(s.max()));
    }

    /** NaN (no samples) becomes JSON null. */
    private static Double json(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
