package dev.flotilla.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {
    private static final long MS = 1_000_000L;

    @Test
    void write_sample_jsonMarkdownRequestsAndPngCharts(@TempDir Path dir) throws Exception {
        Measurements m = new Measurements();
        for (int i = 0; i < 50; i++) {
            m.add(new RequestResult.Completed("r" + i, "t", i * 40 * MS, (5 + i % 7) * MS, (30 + i % 11) * MS, 20, 6, true),
                    new long[] {4 * MS, 5 * MS, 6 * MS, 4 * MS, 5 * MS});
        }
        m.add(new RequestResult.Failed("bad", "t", 10 * MS, 3 * MS, ErrorKind.HTTP_4XX, 404, "model | not found"));
        BenchReport report = BenchReport.of(m, 2.04, new Slo(10.0, null, null), Map.of("mode", "rate", "request_rate", 25.0));

        List<Path> written = ReportFiles.write(dir.resolve("out"), report, m);

        Path out = dir.resolve("out");
        assertThat(written).contains(out.resolve("result.json"), out.resolve("report.md"), out.resolve("requests.jsonl"));
        for (String chart : ReportFiles.CHARTS) {
            byte[] png = Files.readAllBytes(out.resolve(chart));
            assertThat(png).hasSizeGreaterThan(1000);
            assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
        }
        JsonNode json = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertThat(json.get("completed").asLong()).isEqualTo(50);
        assertThat(json.get("request_throughput").asDouble()).isEqualTo(50 / 2.04);
        assertThat(json.get("errors").get("http_4xx").asLong()).isEqualTo(1);
        String md = Files.readString(out.resolve("report.md"));
        assertThat(md).contains("| request throughput (req/s) | 24.51 |", "![ttft_cdf.png](ttft_cdf.png)",
                "model \\| not found", "| mode | rate |");
        assertThat(Files.readAllLines(out.resolve("requests.jsonl"))).hasSize(51)
                .last().asString().contains("\"error\":\"http_4xx\"", "\"http_status\":404");
    }
}
