package dev.flotilla.bench.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures of one simulation, named as {@code flotilla bench} and vLLM's
 * {@code benchmark_serving.py} name them ({@code completed}, {@code duration},
 * {@code request_throughput}, {@code output_throughput}, {@code mean_ttft_ms}, {@code p99_itl_ms},
 * {@code request_goodput}, ...), plus what only a simulation knows: each node's share of the
 * requests, its prefix-cache hit rate and how busy its accelerator was.
 *
 * @param run                 what was simulated (fleet, policy, seed, workload), written first in the JSON
 * @param duration            seconds of virtual time from the first arrival to the last request's end
 * @param failed              requests rejected (no node, prompt too long)
 * @param goodCompleted       completed requests meeting every objective of {@code slo}
 * @param errors              rejections by reason ({@code no_node}, {@code prompt_too_long})
 * @param httpStatuses        rejections by the status the live gateway would have answered
 * @param prefixQueriedTokens prompt tokens looked up in the nodes' prefix caches
 * @param prefixHitTokens     of those, tokens found cached
 */
public record SimReport(Map<String, Object> run, double duration, long completed, long failed,
                        long totalInputTokens, long totalOutputTokens, LatencyStats ttft, LatencyStats tpot,
                        LatencyStats itl, LatencyStats e2el, SloTargets slo, long goodCompleted,
                        Map<String, Long> errors, Map<String, String> errorExamples, Map<Integer, Long> httpStatuses,
                        long prefixQueriedTokens, long prefixHitTokens, List<NodeReport> nodes) {

    /**
     * One node's part of the run.
     *
     * @param served              requests it completed
     * @param refused             requests routed to it that it refused (prompt too long)
     * @param busySeconds         virtual seconds its engine spent in prefill and decode iterations
     */
    public record NodeReport(String name, String profile, long served, long refused, long promptTokens,
                             long outputTokens, long prefixQueriedTokens, long prefixHitTokens, double busySeconds) {

        /** Share of the prompt tokens looked up that were cached, 0..1; NaN when none were looked up. */
        public double prefixCacheHitRate() {
            return prefixQueriedTokens == 0 ? Double.NaN : (double) prefixHitTokens / prefixQueriedTokens;
        }
    }

    public SimReport {
        run = Collections.unmodifiableMap(new LinkedHashMap<>(run));
        errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        errorExamples = Collections.unmodifiableMap(new TreeMap<>(errorExamples));
        httpStatuses = Collections.unmodifiableMap(new TreeMap<>(httpStatuses));
        nodes = List.copyOf(nodes);
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

    /** Completed requests meeting the objectives, per second; null without objectives. */
    public Double requestGoodput() {
        return slo.isSet() ? rate(goodCompleted) : null;
    }

    /** Share of finished requests (completed and rejected) meeting the objectives; null without objectives or requests. */
    public Double goodputRatio() {
        long finished = completed + failed;
        return slo.isSet() && finished > 0 ? (double) goodCompleted / finished : null;
    }

    /** Share of the prompt tokens looked up that the fleet's prefix caches had; NaN when none were looked up. */
    public double prefixCacheHitRate() {
        return prefixQueriedTokens == 0 ? Double.NaN : (double) prefixHitTokens / prefixQueriedTokens;
    }

    private double rate(long count) {
        return duration > 0 ? count / duration : 0;
    }

    /** The JSON object of {@code result.json}: the run's parameters, then the figures, then the nodes. */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>(run);
        j.put("duration", duration);
        j.put("completed", completed);
        j.put("failed", failed);
        j.put("cancelled", 0L);
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
        metric(j, "ttft", ttft);
        metric(j, "tpot", tpot);
        metric(j, "itl", itl);
        metric(j, "e2el", e2el);
        j.put("errors", errors);
        j.put("error_examples", errorExamples);
        Map<String, Long> statuses = new LinkedHashMap<>();
        httpStatuses.forEach((k, v) -> statuses.put(String.valueOf(k), v));
        j.put("http_statuses", statuses);
        j.put("prefix_cache_queried_tokens", prefixQueriedTokens);
        j.put("prefix_cache_hit_tokens", prefixHitTokens);
        j.put("prefix_cache_hit_rate", json(prefixCacheHitRate()));
        List<Map<String, Object>> perNode = new ArrayList<>(nodes.size());
        for (NodeReport n : nodes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("profile", n.profile());
            m.put("served", n.served());
            m.put("refused", n.refused());
            m.put("prompt_tokens", n.promptTokens());
            m.put("output_tokens", n.outputTokens());
            m.put("prefix_cache_queried_tokens", n.prefixQueriedTokens());
            m.put("prefix_cache_hit_tokens", n.prefixHitTokens());
            m.put("prefix_cache_hit_rate", json(n.prefixCacheHitRate()));
            m.put("busy_seconds", n.busySeconds());
            m.put("busy_fraction", duration > 0 ? n.busySeconds() / duration : 0.0);
            perNode.add(m);
        }
        j.put("nodes", perNode);
        return j;
    }

    private static void metric(Map<String, Object> j, String name, LatencyStats s) {
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

    /** The report as console text: the run, totals and rates, a latency table, then one line per node. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append("============ flotilla sim ============\n");
        run.forEach((k, v) -> {
            if (v != null) {
                line(out, k, String.valueOf(v));
            }
        });
        line(out, "completed / failed", completed + " / " + failed);
        line(out, "duration (s, virtual)", number(duration));
        line(out, "input / output tokens", totalInputTokens + " / " + totalOutputTokens);
        line(out, "request throughput (req/s)", number(requestThroughput()));
        line(out, "output throughput (tok/s)", number(outputThroughput()));
        line(out, "total token throughput (tok/s)", number(totalTokenThroughput()));
        if (slo.isSet()) {
            Double ratio = goodputRatio();
            line(out, "goodput (req/s)", number(requestGoodput()) + "  (" + number(100 * (ratio == null ? 0 : ratio))
                    + "% of finished requests met the objectives)");
        }
        line(out, "prefix cache hit rate", percent(prefixCacheHitRate()));
        out.append(String.format(Locale.ROOT, "%-16s %10s %10s %10s %10s %10s %10s%n",
                "(ms)", "mean", "p50", "p90", "p95", "p99", "max"));
        for (var row : List.of(Map.entry("TTFT", ttft), Map.entry("TPOT", tpot), Map.entry("ITL", itl),
                Map.entry("E2E latency", e2el))) {
            LatencyStats s = row.getValue();
            out.append(String.format(Locale.ROOT, "%-16s %10s %10s %10s %10s %10s %10s%n", row.getKey(),
                    number(s.mean()), number(s.p50()), number(s.p90()), number(s.p95()), number(s.p99()),
                    number(s.max())));
        }
        if (!errors.isEmpty()) {
            out.append("rejected:\n");
            errors.forEach((kind, n) -> out.append(String.format(Locale.ROOT, "  %-20s %8d  e.g. %s%n", kind, n,
                    errorExamples.get(kind))));
        }
        out.append(String.format(Locale.ROOT, "%-22s %-10s %9s %8s %9s %8s%n",
                "node", "profile", "served", "refused", "cache hit", "busy"));
        for (NodeReport n : nodes) {
            out.append(String.format(Locale.ROOT, "%-22s %-10s %9d %8d %9s %8s%n", n.name(), n.profile(), n.served(),
                    n.refused(), percent(n.prefixCacheHitRate()),
                    percent(duration > 0 ? n.busySeconds() / duration : 0)));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(String.format(Locale.ROOT, "%-32s %s%n", name + ":", value));
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
