package dev.flotilla.bench.report;

import java.util.List;
import java.util.Map;

/** The report as console text: the run, the totals and rates, then one row per latency metric. */
public final class ConsoleReport {
    private ConsoleReport() {
    }

    public static String format(BenchReport r) {
        StringBuilder out = new StringBuilder();
        String nl = System.lineSeparator();
        out.append("============ flotilla bench ============").append(nl);
        for (Map.Entry<String, Object> e : r.run().entrySet()) {
            if (e.getValue() != null) {
                line(out, e.getKey(), String.valueOf(e.getValue()));
            }
        }
        line(out, "completed / failed / cancelled", r.completed() + " / " + r.failed() + " / " + r.cancelled());
        line(out, "duration (s)", Format.number(r.duration()));
        line(out, "input / output tokens", r.totalInputTokens() + " / " + r.totalOutputTokens());
        line(out, "request throughput (req/s)", Format.number(r.requestThroughput()));
        line(out, "output throughput (tok/s)", Format.number(r.outputThroughput()));
        line(out, "total token throughput (tok/s)", Format.number(r.totalTokenThroughput()));
        if (r.slo().isSet()) {
            line(out, "goodput (req/s)", Format.number(r.requestGoodput()) + "  ("
                    + Format.number(100 * (r.goodputRatio() == null ? 0 : r.goodputRatio())) + "% of finished requests met "
                    + r.slo().describe() + ")");
        }
        if (r.usageMissing() > 0) {
            line(out, "note", r.usageMissing() + " completed requests had no usage chunk: their output tokens are "
                    + "counted as content chunks");
        }
        out.append(String.format("%-16s %10s %10s %10s %10s %10s %10s%n", "(ms)", "mean", "p50", "p90", "p95", "p99", "max"));
        for (var row : List.of(Map.entry("TTFT", r.ttft()), Map.entry("TPOT", r.tpot()), Map.entry("ITL", r.itl()),
                Map.entry("E2E latency", r.e2el()))) {
            LatencySummary s = row.getValue();
            out.append(String.format("%-16s %10s %10s %10s %10s %10s %10s%n", row.getKey(), Format.number(s.mean()),
                    Format.number(s.p50()), Format.number(s.p90()), Format.number(s.p95()), Format.number(s.p99()),
                    Format.number(s.max())));
        }
        if (!r.errorCounts().isEmpty()) {
            out.append("errors:").append(nl);
            r.errorCounts().forEach((kind, n) -> out.append(String.format("  %-20s %8d  e.g. %s%n", kind, n,
                    abbreviate(r.errorExamples().get(kind)))));
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String name, String value) {
        out.append(String.format("%-32s %s%n", name + ":", value));
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() <= 160 ? one : one.substring(0, 157) + "...";
    }
}
