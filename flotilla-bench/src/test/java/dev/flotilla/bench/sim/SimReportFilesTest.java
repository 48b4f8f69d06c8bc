package dev.flotilla.bench.sim;

import static dev.flotilla.bench.sim.FleetSimulatorTest.request;
import static dev.flotilla.bench.sim.FleetSimulatorTest.testProfile;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.protocol.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimReportFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void write_run_resultJsonAndOneRequestLinePerRequest(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        SimReport report;
        try (SimReportFiles.RequestLog log = SimReportFiles.requestLog(out)) {
            report = FleetSimulator.builder(FleetSimulatorTest.fleet(testProfile(2), 1))
                    .endpoint(Endpoint.COMPLETIONS).slo(new SloTargets(35.0, null, null)).results(log)
                    .describe("workload", "test").build()
                    .run(List.of(request("a", 0, 100), request("b", 1000, 4096)));
        }
        Path result = SimReportFiles.writeResult(out, report);

        JsonNode json = JSON.readTree(result.toFile());
        assertThat(json.get("mode").asText()).isEqualTo("sim");
        assertThat(json.get("workload").asText()).isEqualTo("test");
        assertThat(json.get("completed").asLong()).isEqualTo(1);
        assertThat(json.get("failed").asLong()).isEqualTo(1);
        assertThat(json.get("mean_ttft_ms").asDouble()).isEqualTo(30.0);
        assertThat(json.get("good_completed").asLong()).isEqualTo(1);
        assertThat(json.get("goodput_ratio").asDouble()).isEqualTo(0.5);
        assertThat(json.get("http_statuses").get("400").asLong()).isEqualTo(1);
        assertThat(json.get("nodes").get(0).get("served").asLong()).isEqualTo(1);
        List<String> lines = Files.readAllLines(out.resolve(SimReportFiles.REQUESTS_JSONL));
        assertThat(lines).hasSize(2);
        JsonNode a = JSON.readTree(lines.get(0));
        assertThat(a.get("id").asText()).isEqualTo("a");
        assertThat(a.get("node").asText()).isEqualTo("sim-test-1");
        assertThat(a.get("ttft_ms").asDouble()).isEqualTo(30.0);
        assertThat(a.get("e2el_ms").asDouble()).isEqualTo(63.0);
        assertThat(a.get("output_tokens").asInt()).isEqualTo(4);
        JsonNode b = JSON.readTree(lines.get(1));
        assertThat(b.get("sent_s").asDouble()).isEqualTo(1.0);
        assertThat(b.get("error").asText()).isEqualTo("prompt_too_long");
        assertThat(b.get("http_status").asInt()).isEqualTo(400);
    }
}
