package dev.flotilla.bench.sim.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * The files of a policy comparison: {@code cells.csv} and {@code cells.json} (every cell's
 * figures), {@code report.md} (one table per fleet x workload: rows load and metric, columns
 * policy, the best value in bold, every other with its ratio to the best; then, not compared, the
 * failed requests and the prefix-cache hit rate), one PNG per fleet x
 * workload ({@code plots/<fleet>--<workload>.png}: p99 TTFT against load, one line per policy) and,
 * with a {@link PolicyCheck}, {@code check.md} listing its violations.
 */
public final class MatrixFiles {
    public static final String CSV = "cells.csv";
    public static final String JSON = "cells.json";
    public static final String REPORT = "report.md";
    public static final String CHECK = "check.md";
    public static final String PLOTS = "plots";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> COLUMNS = List.of("fleet", "heterogeneous", "workload", "load_percent", "policy",
            "capacity_rps", "offered_rps", "requests", "offered_prompt_tokens", "offered_max_tokens", "completed",
            "failed", "p50_ttft_ms", "p99_ttft_ms", "p99_itl_ms", "request_throughput", "output_throughput",
            "request_goodput", "goodput_ratio", "prefix_cache_hit_rate", "duration_s", "slo_ttft_ms", "slo_itl_ms",
            "wall_s");

    private MatrixFiles() {
    }

    /** Writes the files into {@code dir} (created if needed); returns the paths written. */
    public static List<Path> write(Path dir, MatrixRunner.MatrixResult result, PolicyCheck check) throws IOException {
        Files.createDirectories(dir.resolve(PLOTS));
        List<Path> written = new ArrayList<>();
        List<Map<String, Object>> rows = result.cells().stream().map(MatrixFiles::row).toList();
        Path csv = dir.resolve(CSV);
        Files.writeString(csv, csv(rows));
        written.add(csv);
        Path json = dir.resolve(JSON);
        MAPPER.writeValue(json.toFile(), rows);
        written.add(json);
        Map<String, Path> plots = new LinkedHashMap<>();
        for (Map.Entry<String, List<CellResult>> e : byFleetAndWorkload(result.cells()).entrySet()) {
            CellResult first = e.getValue().getFirst();
            Path png = dir.resolve(PLOTS).resolve(fileName(first.fleet()) + "--" + fileName(first.workload()) + ".png");
            if (plot(png, first.fleet() + " / " + first.workload(), result.spec().policies(), e.getValue())) {
                plots.put(e.getKey(), png);
                written.add(png);
            }
        }
        Path report = dir.resolve(REPORT);
        Files.writeString(report, markdown(result, dir, plots));
        written.add(report);
        if (check != null) {
            Path md = dir.resolve(CHECK);
            Files.writeString(md, checkMarkdown(check, check.check(result.cells())));
            written.add(md);
        }
        return written;
    }

    /** One cell as the CSV and JSON show it (NaN as null). */
    static Map<String, Object> row(CellResult c) {
        Object[] values = {c.fleet(), c.heterogeneous(), c.workload(), c.load(), c.policy(), c.capacity(),
            c.offeredRate(), c.requests(), c.offeredPromptTokens(), c.offeredMaxTokens(), c.completed(), c.failed(),
            c.p50TtftMs(), c.p99TtftMs(), c.p99ItlMs(), c.requestThroughput(), c.outputThroughput(), c.goodput(),
            c.goodputRatio(), c.prefixCacheHitRate(), c.durationSeconds(), c.sloTtftMs(), c.sloItlMs(), c.wallSeconds()};
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < COLUMNS.size(); i++) {
            Object v = values[i];
            m.put(COLUMNS.get(i), v instanceof Double d && (d.isNaN() || d.isInfinite()) ? null : v);
        }
        return m;
    }

    static String csv(List<Map<String, Object>> rows) {
        StringBuilder out = new StringBuilder(String.join(",", COLUMNS)).append('\n');
        for (Map<String, Object> row : rows) {
            out.append(row.values().stream().map(MatrixFiles::csvValue).collect(Collectors.joining(","))).append('\n');
        }
        return out.toString();
    }

    private static String csvValue(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    /** The Markdown report; {@code plots} by {@link #key} of fleet and workload. */
    static String markdown(MatrixRunner.MatrixResult result, Path dir, Map<String, Path> plots) {
        MatrixSpec spec = result.spec();
        StringBuilder md = new StringBuilder("# Routing policies compared (`flotilla sim matrix`)\n\n");
        md.append(String.format(Locale.ROOT, "Each trace offers requests for %s s of simulated time (seed %d); every "
                        + "policy of a fleet, workload and load runs the same trace. Load is a percentage of the "
                        + "fleet's capacity for the workload (docs/sim.md, \"Capacity\"). In the tables the best "
                        + "policy's value is in bold; every other value is followed by its ratio to the best "
                        + "(value / best: above 1 is worse for latencies, below 1 is worse for throughput and "
                        + "goodput).%n%n", fmt(spec.durationSeconds()), spec.seed()));
        md.append("| fleet | workload | capacity (req/s) | how |\n|---|---|---|---|\n");
        result.capacities().forEach((fleet, byWorkload) -> byWorkload.forEach((workload, c) ->
                md.append("| ").append(fleet).append(" | ").append(workload).append(" | ")
                        .append(fmt(c.requestsPerSecond())).append(" | ").append(c.describe()).append(" |\n")));
        md.append("\n| workload | definition | goodput objectives |\n|---|---|---|\n");
        for (SimWorkload w : spec.workloads()) {
            md.append("| ").append(w.name()).append(" | ").append(w.description()).append(" | ")
                    .append(spec.slo(w).describe()).append(" |\n");
        }
        for (Map.Entry<String, List<CellResult>> e : byFleetAndWorkload(result.cells()).entrySet()) {
            List<CellResult> cells = e.getValue();
            CellResult first = cells.getFirst();
            md.append("\n## ").append(first.fleet()).append(" / ").append(first.workload()).append("\n\n");
            md.append(String.format(Locale.ROOT, "Capacity %s req/s.%n%n", fmt(first.capacity())));
            md.append("| load | metric | ").append(String.join(" | ", spec.policies())).append(" |\n|---|---|")
                    .append("---|".repeat(spec.policies().size())).append('\n');
            Map<Double, List<CellResult>> byLoad = new LinkedHashMap<>();
            cells.forEach(c -> byLoad.computeIfAbsent(c.load(), k -> new ArrayList<>()).add(c));
            for (Map.Entry<Double, List<CellResult>> l : byLoad.entrySet()) {
                List<CellResult> group = l.getValue();
                String load = String.format(Locale.ROOT, "%s (%s req/s, %d requests)", Metric.formatLoad(l.getKey()),
                        fmt(group.getFirst().offeredRate()), group.getFirst().requests());
                for (Metric m : Metric.values()) {
                    double best = m.of(PolicyCheck.best(group, m));
                    md.append("| ").append(m == Metric.values()[0] ? load : "").append(" | ").append(m.label());
                    for (String policy : spec.policies()) {
                        CellResult c = group.stream().filter(x -> x.policy().equals(policy)).findFirst().orElse(null);
                        md.append(" | ").append(c == null ? "" : cellText(m.of(c), best));
                    }
                    md.append(" |\n");
                }
                // for reading the figures above, not compared
                md.append("| | failed (of ").append(group.getFirst().requests()).append(")");
                for (String policy : spec.policies()) {
                    CellResult c = group.stream().filter(x -> x.policy().equals(policy)).findFirst().orElse(null);
                    md.append(" | ").append(c == null ? "" : String.valueOf(c.failed()));
                }
                md.append(" |\n| | prefix-cache hit rate");
                for (String policy : spec.policies()) {
                    CellResult c = group.stream().filter(x -> x.policy().equals(policy)).findFirst().orElse(null);
                    md.append(" | ").append(c == null || Double.isNaN(c.prefixCacheHitRate()) ? ""
                            : String.format(Locale.ROOT, "%.1f%%", 100 * c.prefixCacheHitRate()));
                }
                md.append(" |\n");
            }
            Path png = plots.get(e.getKey());
            if (png != null) {
                md.append("\n![p99 TTFT against load, ").append(first.fleet()).append(" / ").append(first.workload())
                        .append("](").append(dir.relativize(png).toString().replace('\\', '/')).append(")\n");
            }
        }
        return md.toString();
    }

    static String checkMarkdown(PolicyCheck check, List<PolicyCheck.Violation> violations) {
        StringBuilder md = new StringBuilder("# Check of `").append(check.ours()).append("`\n\n");
        md.append(String.format(Locale.ROOT, "Rules: on every fleet, workload and load, each metric within %s %% of "
                        + "the best policy's; on heterogeneous fleets at %s %% load and above, p99 TTFT at most %s "
                        + "times `%s`'s.%n%n", fmt(check.tolerance() * 100), fmt(check.minLoad()),
                fmt(check.baselineRatio()), check.baseline()));
        if (violations.isEmpty()) {
            return md.append("No violations.\n").toString();
        }
        md.append(violations.size()).append(" violations.\n\n| fleet | workload | load | rule | metric | ")
                .append(check.ours()).append(" | reference | of |\n|---|---|---|---|---|---|---|---|\n");
        for (PolicyCheck.Violation v : violations) {
            md.append("| ").append(v.fleet()).append(" | ").append(v.workload()).append(" | ")
                    .append(Metric.formatLoad(v.load())).append(" | ").append(v.rule()).append(" | ")
                    .append(v.metric() == null ? "" : v.metric().label()).append(" | ").append(fmt(v.ours()))
                    .append(" | ").append(fmt(v.reference())).append(" | ").append(v.referencePolicy()).append(" |\n");
        }
        return md.toString();
    }

    /** One line per violation, for the console. */
    public static String violationLines(List<PolicyCheck.Violation> violations) {
        StringBuilder out = new StringBuilder();
        for (PolicyCheck.Violation v : violations) {
            out.append(String.format(Locale.ROOT, "%s / %s / %s: %s %s: %s vs %s (%s)%n", v.fleet(), v.workload(),
                    Metric.formatLoad(v.load()), v.rule(), v.metric() == null ? "" : v.metric().label(), fmt(v.ours()),
                    fmt(v.reference()), v.referencePolicy()));
        }
        return out.toString();
    }

    private static String cellText(double value, double best) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if (value == best) {
            return "**" + fmt(value) + "**";
        }
        return fmt(value) + (best == 0 || Double.isNaN(best) ? "" : String.format(Locale.ROOT, " (%.2fx)", value / best));
    }

    /** Three significant digits or whole numbers, no exponent. */
    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        double a = Math.abs(v);
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static Map<String, List<CellResult>> byFleetAndWorkload(List<CellResult> cells) {
        Map<String, List<CellResult>> out = new LinkedHashMap<>();
        cells.forEach(c -> out.computeIfAbsent(key(c), k -> new ArrayList<>()).add(c));
        return out;
    }

    static String key(CellResult c) {
        return c.fleet() + "\u0000" + c.workload();
    }

    private static String fileName(String name) {
        return name.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    /** p99 TTFT against load, one line per policy (logarithmic over a wide range); false when nothing to draw. */
    private static boolean plot(Path file, String title, List<String> policies, List<CellResult> cells)
            throws IOException {
        // AWT must not look for a display
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title + ": p99 TTFT")
                .xAxisTitle("load (% of capacity)").yAxisTitle("p99 TTFT (ms)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisDecimalPattern("#,##0.#");
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        boolean any = false;
        for (String policy : policies) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (CellResult c : cells) {
                if (c.policy().equals(policy) && c.p99TtftMs() > 0) {
                    xs.add(c.load());
                    ys.add(c.p99TtftMs());
                }
            }
            if (!xs.isEmpty()) {
                for (double y : ys) {
                    min = Math.min(min, y);
                    max = Math.max(max, y);
                }
                XYSeries s = chart.addSeries(policy, xs, ys);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                any = true;
            }
        }
        if (!any) {
            return false;
        }
        // policies apart by orders of magnitude need a logarithmic axis; XChart labels only its powers of ten
        chart.getStyler().setYAxisLogarithmic(max / min >= 20);
        javax.imageio.ImageIO.setUseCache(false);
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return true;
    }
}
