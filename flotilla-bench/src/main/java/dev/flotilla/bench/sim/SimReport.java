package dev.flotilla.bench.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.ConsoleReport;
import dev.flotilla.bench.report.Measurements;
import dev.flotilla.bench.report.ReportFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one simulation: the same {@link BenchReport} a live {@code flotilla bench} run
 * produces (same figures, same names, same files), and what only a simulation knows: each node's
 * share of the requests, its prefix-cache figures and how busy its accelerator was.
 *
 * @param bench               the bench report: throughput, TTFT, TPOT, ITL, end-to-end latency,
 *                            goodput, errors (rejections as the live gateway's HTTP statuses)
 * @param measurements        the collected results behind it, for {@link ReportFiles} (requests.jsonl, charts)
 * @param prefixQueriedTokens prompt tokens looked up in the nodes' prefix caches
 * @param prefixHitTokens     of those, tokens found cached
 * @param nodes               one entry per node, in routing order
 */
public record SimReport(BenchReport bench, Measurements measurements, long prefixQueriedTokens, long prefixHitTokens,
                        List<NodeReport> nodes) {

    /** The file {@link #write} adds beside the bench's files. */
    public static final String SIM_JSON = "sim.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One node's part of the run.
     *
     * @param served      requests it completed
     * @param refused     requests routed to it that it refused (prompt longer than its context)
     * @param busySeconds virtual seconds its engine spent in prefill and decode iterations
     */
    public record NodeReport(String name, String profile, long served, long refused, long promptTokens,
                             long outputTokens, long prefixQueriedTokens, long prefixHitTokens, double busySeconds) {

        /** Share of the prompt tokens looked up that were cached, 0..1; NaN when none were looked up. */
        public double prefixCacheHitRate() {
            return prefixQueriedTokens == 0 ? Double.NaN : (double) prefixHitTokens / prefixQueriedTokens;
        }
    }

    public SimReport {
        nodes = List.copyOf(nodes);
    }

    /** Share of the prompt tokens looked up that the fleet's prefix caches had; NaN when none were looked up. */
    public double prefixCacheHitRate() {
        return prefixQueriedTokens == 0 ? Double.NaN : (double) prefixHitTokens / prefixQueriedTokens;
    }

    /**
     * The simulation's own figures ({@code sim.json}): the prefix cache over the fleet, then per
     * node {@code name}, {@code profile}, {@code served}, {@code refused}, {@code prompt_tokens},
     * {@code output_tokens}, its prefix-cache figures, {@code busy_seconds} and {@code busy_fraction}
     * (of the run's duration).
     */
    public Map<String, Object> toJson() {
        Map<String, Object> j = new LinkedHashMap<>();
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
            m.put("busy_fraction", busyFraction(n));
            perNode.add(m);
        }
        j.put("nodes", perNode);
        return j;
    }

    /** The bench's console report, then the prefix-cache hit rate and one line per node. */
    public String table() {
        String console = ConsoleReport.format(bench);
        // the bench's table under the simulator's title
        StringBuilder out = new StringBuilder("============ flotilla sim ============")
                .append(console.substring(console.indexOf(System.lineSeparator())));
        out.append(String.format(Locale.ROOT, "%-32s %s%n", "prefix cache hit rate:", percent(prefixCacheHitRate())));
        out.append(String.format(Locale.ROOT, "%-22s %-10s %9s %8s %9s %8s%n",
                "node", "profile", "served", "refused", "cache hit", "busy"));
        for (NodeReport n : nodes) {
            out.append(String.format(Locale.ROOT, "%-22s %-10s %9d %8d %9s %8s%n", n.name(), n.profile(), n.served(),
                    n.refused(), percent(n.prefixCacheHitRate()), percent(busyFraction(n))));
        }
        return out.toString();
    }

    /**
     * Writes the bench's files ({@code result.json}, {@code report.md}, {@code requests.jsonl}, the
     * charts; see {@link ReportFiles}) and {@code sim.json} into {@code dir}; returns the paths written.
     */
    public List<Path> write(Path dir) throws IOException {
        List<Path> written = new ArrayList<>(ReportFiles.write(dir, bench, measurements));
        Path sim = dir.resolve(SIM_JSON);
        Files.createDirectories(dir);
        JSON.writeValue(sim.toFile(), toJson());
        written.add(sim);
        return written;
    }

    private double busyFraction(NodeReport n) {
        return bench.duration() > 0 ? n.busySeconds() / bench.duration() : 0.0;
    }

    private static Double json(double v) {
        return Double.isNaN(v) ? null : v;
    }

    private static String percent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
