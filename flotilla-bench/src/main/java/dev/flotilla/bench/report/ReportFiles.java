package dev.flotilla.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's report into a directory: {@code result.json} (the figures, {@link BenchReport#toJson()}),
 * {@code report.md}, {@code requests.jsonl} (one line per request) and PNG charts: CDFs of TTFT, ITL
 * and end-to-end latency ({@code ttft_cdf.png}, {@code itl_cdf.png}, {@code e2el_cdf.png}),
 * throughput and requests in flight over time ({@code throughput.png}, {@code in_flight.png}).
 */
public final class ReportFiles {
    public static final String RESULT_JSON = "result.json";
    public static final String REPORT_MD = "report.md";
    public static final String REQUESTS_JSONL = "requests.jsonl";
    public static final List<String> CHARTS = List.of("ttft_cdf.png", "itl_cdf.png", "e2el_cdf.png", "throughput.png",
            "in_flight.png");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper LINES = new ObjectMapper();

    private ReportFiles() {
    }

    /** Writes every file (creating the directory) and returns the paths written. */
    public static List<Path> write(Path dir, BenchReport report, Measurements m) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path json = dir.resolve(RESULT_JSON);
        JSON.writeValue(json.toFile(), report.toJson());
        written.add(json);
        Path requests = dir.resolve(REQUESTS_JSONL);
        writeRequests(requests, m);
        written.add(requests);
        List<String> charts = new ArrayList<>();
        List<Timeline.Point> points = m.timeline().points();
        if (Charts.cdf(dir.resolve(CHARTS.get(0)), "Time to first token", "requests", m.ttft().histogram())) {
            charts.add(CHARTS.get(0));
        }
        if (Charts.cdf(dir.resolve(CHARTS.get(1)), "Inter-token latency", "gaps between tokens", m.itl().histogram())) {
            charts.add(CHARTS.get(1));
        }
        if (Charts.cdf(dir.resolve(CHARTS.get(2)), "End-to-end latency", "requests", m.e2el().histogram())) {
            charts.add(CHARTS.get(2));
        }
        if (Charts.throughput(dir.resolve(CHARTS.get(3)), points)) {
            charts.add(CHARTS.get(3));
        }
        if (Charts.inFlight(dir.resolve(CHARTS.get(4)), points)) {
            charts.add(CHARTS.get(4));
        }
        charts.forEach(c -> written.add(dir.resolve(c)));
        Path md = dir.resolve(REPORT_MD);
        Files.writeString(md, MarkdownReport.format(report, charts), StandardCharsets.UTF_8);
        written.add(md);
        return written;
    }

    private static void writeRequests(Path file, Measurements m) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (RequestResult r : m.results()) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", r.id());
                line.put("tenant", r.tenant());
                line.put("sent_s", r.sentNanos() / 1e9);
                switch (r) {
                    case RequestResult.Completed c -> {
                        line.put("ttft_ms", c.ttftNanos() / 1e6);
                        line.put("tpot_ms", c.tpotNanos() / 1e6);
                        line.put("e2el_ms", c.e2elNanos() / 1e6);
                        line.put("prompt_tokens", c.promptTokens());
                        line.put("output_tokens", c.outputTokens());
                        line.put("usage_reported", c.usageReported());
                    }
                    case RequestResult.Failed f -> {
                        line.put("elapsed_ms", f.elapsedNanos() / 1e6);
                        line.put("error", f.kind().label());
                        if (f.httpStatus() != 0) {
                            line.put("http_status", f.httpStatus());
                        }
                        line.put("detail", f.detail());
                    }
                }
                w.write(LINES.writeValueAsString(line));
                w.write('\n');
            }
        }
    }
}
