package dev.flotilla.bench.sim;

import static dev.flotilla.bench.sim.FleetSimulatorTest.request;
import static dev.flotilla.bench.sim.FleetSimulatorTest.testProfile;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.bench.report.ReportFiles;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.protocol.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimReportFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void write_run_benchFilesAndSimJson(@TempDir Path dir) throws Exception {
        SimReport report = FleetSimulator.builder(FleetSimulatorTest.fleet(testProfile(2), 1))
                .endpoint(Endpoint.COMPLETIONS).slo(new Slo(35.0, null, null)).describe("workload", "test").build()
                .run(List.of(request("a", 0, 100), request("b", 1000, 4096)));

        List<Path> written = report.write(dir);

        assertThat(written).contains(dir.resolve(ReportFiles.RESULT_JSON), dir.resolve(ReportFiles.REQUESTS_JSONL),
                dir.resolve(ReportFiles.REPORT_MD), dir.resolve(SimReport.SIM_JSON));
        JsonNode json = JSON.readTree(dir.resolve(ReportFiles.RESULT_JSON).toFile());
        assertThat(json.get("mode").asText()).isEqualTo("sim");
        assertThat(json.get("workload").asText()).isEqualTo("test");
        assertThat(json.get("completed").asLong()).isEqualTo(1);
        assertThat(json.get("failed").asLong()).isEqualTo(1);
        assertThat(json.get("mean_ttft_ms").asDouble()).isEqualTo(30.0);
        assertThat(json.get("good_completed").asLong()).isEqualTo(1);
        assertThat(json.get("goodput_ratio").asDouble()).isEqualTo(0.5);
        assertThat(json.get("http_statuses").get("400").asLong()).isEqualTo(1);
        assertThat(json.get("duration").asDouble()).isEqualTo(1.0); // the refusal at 1 s is the last end
        JsonNode sim = JSON.readTree(dir.resolve(SimReport.SIM_JSON).toFile());
        assertThat(sim.get("nodes").get(0).get("served").asLong()).isEqualTo(1);
        assertThat(sim.get("nodes").get(0).get("refused").asLong()).isEqualTo(1);
        assertThat(sim.get("nodes").get(0).get("busy_seconds").asDouble()).isEqualTo(0.063);
        List<String> lines = Files.readAllLines(dir.resolve(ReportFiles.REQUESTS_JSONL));
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(0)).get("e2el_ms").asDouble()).isEqualTo(63.0);
        assertThat(JSON.readTree(lines.get(1)).get("http_status").asInt()).isEqualTo(400);
        assertThat(report.table()).startsWith("============ flotilla sim ============")
                .contains("sim-test-1", "prefix cache hit rate");
    }
}
