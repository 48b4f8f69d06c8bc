package dev.flotilla.bench.report;

import java.util.List;
import java.util.Map;

/** The report as Markdown: the run, the figures, the latency table, errors and the charts. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String format(BenchReport r, List<String> charts) {
        StringBuilder md = new StringBuilder("# flotilla bench report\n\n");
        md.append("| run | |\n|---|---|\n");
        for (Map.Entry<String, Object> e : r.run().entrySet()) {
            if (e.getValue() != null) {
                md.append("| ").append(e.getKey()).append(" | ").append(cell(String.valueOf(e.getValue()))).append(" |\n");
            }
        }
        md.append("\n## Results\n\n| figure | value |\n|---|---:|\n");
        row(md, "completed requests", String.valueOf(r.completed()));
        row(md, "failed requests", String.valueOf(r.failed()));
        row(md, "cancelled requests", String.valueOf(r.cancelled()));
        row(md, "duration (s)", Format.number(r.duration()));
        row(md, "input tokens", String.valueOf(r.totalInputTokens()));
        row(md, "output tokens", String.valueOf(r.totalOutputTokens()));
        row(md, "request throughput (req/s)", Format.number(r.requestThroughput()));
        row(md, "output throughput (tok/s)", Format.number(r.outputThroughput()));
        row(md, "total token throughput (tok/s)", Format.number(r.totalTokenThroughput()));
        if (r.slo().isSet()) {
            row(md, "goodput (req/s), " + r.slo().describe(), Format.number(r.requestGoodput()));
            row(md, "share of finished requests meeting the objectives",
                    Format.number(100 * (r.goodputRatio() == null ? 0 : r.goodputRatio())) + " %");
        }
        if (r.usageMissing() > 0) {
            md.append("\n").append(r.usageMissing()).append(" completed requests had no usage chunk: their output "
                    + "tokens are counted as content chunks.\n");
        }
        md.append("\n## Latency (ms)\n\n| metric | mean | p50 | p90 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (var row : List.of(Map.entry("time to first token (TTFT)", r.ttft()),
                Map.entry("time per output token (TPOT)", r.tpot()), Map.entry("inter-token latency (ITL)", r.itl()),
                Map.entry("end-to-end latency", r.e2el()))) {
            LatencySummary s = row.getValue();
            md.append("| ").append(row.getKey()).append(" | ").append(Format.number(s.mean())).append(" | ")
                    .append(Format.number(s.p50())).append(" | ").append(Format.number(s.p90())).append(" | ")
                    .append(Format.number(s.p95())).append(" | ").append(Format.number(s.p99())).append(" | ")
                    .append(Format.number(s.max())).append(" |\n");
        }
        if (!r.errorCounts().isEmpty()) {
            md.append("\n## Errors\n\n| kind | requests | example |\n|---|---:|---|\n");
            r.errorCounts().forEach((kind, n) -> md.append("| ").append(kind).append(" | ").append(n).append(" | ")
                    .append(cell(ConsoleReport.abbreviate(r.errorExamples().get(kind)))).append(" |\n"));
        }
        if (!charts.isEmpty()) {
            md.append("\n## Charts\n\n");
            for (String c : charts) {
                md.append("![").append(c).append("](").append(c).append(")\n\n");
            }
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }
}
