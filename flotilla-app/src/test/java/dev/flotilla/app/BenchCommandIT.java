package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flotilla bench} as a user runs it, in-process, against a gateway over two simulated L4
 * nodes on loopback: rate and concurrency runs with {@code --out}, a generated trace replayed,
 * option errors.
 */
class BenchCommandIT {
    private static final String MODEL = "sim-llama-2-7b";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SimulatedEngine engineA;
    private static SimulatedEngine engineB;
    private static NodeServer nodeA;
    private static NodeServer nodeB;
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        engineA = SimulatedEngine.realTime(MODEL, AcceleratorProfile.L4);
        engineB = SimulatedEngine.realTime(MODEL, AcceleratorProfile.L4);
        nodeA = NodeServer.start(NodeServerConfig.loopback("a", 0), engineA, Clock.systemUTC());
        nodeB = NodeServer.start(NodeServerConfig.loopback("b", 0), engineB, Clock.systemUTC());
        gateway = Gateway.start(GatewayConfig.of(List.of(new GatewayConfig.Node("a", nodeA.url()),
                new GatewayConfig.Node("b", nodeB.url()))).withListen(GatewayConfig.Listen.loopback(0)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodeA.close();
        nodeB.close();
        engineA.close();
        engineB.close();
    }

    private static CommandRun flotilla(String... args) {
        return CommandRun.of(args);
    }

    private static String url() {
        return gateway.url().toString();
    }

    /** What every result.json must satisfy. */
    private static void assertConsistent(JsonNode r) {
        assertThat(r.get("model_id").asText()).isEqualTo(MODEL);
        long completed = r.get("completed").asLong();
        double duration = r.get("duration").asDouble();
        assertThat(completed).isPositive();
        assertThat(r.get("failed").asLong()).isZero();
        assertThat(r.get("request_throughput").asDouble()).isEqualTo(completed / duration);
        assertThat(r.get("output_throughput").asDouble()).isEqualTo(r.get("total_output_tokens").asLong() / duration);
        assertThat(r.get("total_token_throughput").asDouble()).isEqualTo(
                (r.get("total_input_tokens").asLong() + r.get("total_output_tokens").asLong()) / duration);
        for (String metric : List.of("ttft", "tpot", "itl", "e2el")) {
            double p50 = r.get("p50_" + metric + "_ms").asDouble();
            assertThat(r.get("median_" + metric + "_ms").asDouble()).isEqualTo(p50);
            assertThat(p50).isPositive().isLessThanOrEqualTo(r.get("p90_" + metric + "_ms").asDouble());
            assertThat(r.get("p90_" + metric + "_ms").asDouble()).isLessThanOrEqualTo(r.get("p95_" + metric + "_ms").asDouble());
            assertThat(r.get("p95_" + metric + "_ms").asDouble()).isLessThanOrEqualTo(r.get("p99_" + metric + "_ms").asDouble());
            assertThat(r.get("p99_" + metric + "_ms").asDouble()).isLessThanOrEqualTo(r.get("max_" + metric + "_ms").asDouble() * 1.001);
            assertThat(r.get("mean_" + metric + "_ms").asDouble()).isPositive();
        }
        assertThat(r.get("mean_ttft_ms").asDouble()).isLessThan(r.get("mean_e2el_ms").asDouble());
        assertThat(r.get("max_e2el_ms").asDouble()).isLessThanOrEqualTo(duration * 1000);
    }

    private static void assertFilesWritten(Path dir) throws Exception {
        for (String png : List.of("ttft_cdf.png", "itl_cdf.png", "e2el_cdf.png", "throughput.png", "in_flight.png")) {
            byte[] bytes = Files.readAllBytes(dir.resolve(png));
            assertThat(new String(bytes, 1, 3, StandardCharsets.US_ASCII)).as(png).isEqualTo("PNG");
        }
        assertThat(Files.readString(dir.resolve("report.md"))).contains("# flotilla bench report",
                "| request throughput (req/s) |", "![ttft_cdf.png](ttft_cdf.png)");
    }

    @Test
    void bench_rateWithSloAndOut_consistentJsonMarkdownAndCharts(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("rate");
        CommandRun r = flotilla("bench", "--url", url(), "--rate", "8", "--duration", "2s", "--prompt-tokens", "64",
                "--max-tokens", "12", "--slo-ttft-ms", "60000", "--slo-itl-ms", "0.001", "--out", out.toString(),
                "--no-progress");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("request throughput (req/s)", "TTFT", "E2E latency", "goodput (req/s)",
                "wrote 8 files to " + out);
        JsonNode json = JSON.readTree(out.resolve("result.json").toFile());
        assertConsistent(json);
        assertThat(json.get("mode").asText()).isEqualTo("rate");
        assertThat(json.get("request_rate").asDouble()).isEqualTo(8);
        // no request streams a token per microsecond: the ITL objective fails them all
        assertThat(json.get("request_goodput").asDouble()).isZero();
        assertThat(json.get("goodput_ratio").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.get("slo").get("itl_ms").asDouble()).isEqualTo(0.001);
        assertThat(Files.readAllLines(out.resolve("requests.jsonl"))).hasSize(json.get("completed").asInt());
        assertFilesWritten(out);
    }

    @Test
    void bench_concurrencyOnCompletions_allRequestsCompleteAndGoodputIsEveryOne(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("conc");
        CommandRun r = flotilla("bench", "--url", url() + "/v1", "--model", MODEL, "--endpoint", "completions",
                "--concurrency", "3", "--requests", "12", "--max-tokens", "8", "--slo-ttft-ms", "60000",
                "--out", out.toString(), "--no-progress");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = JSON.readTree(out.resolve("result.json").toFile());
        assertConsistent(json);
        assertThat(json.get("completed").asLong()).isEqualTo(12);
        assertThat(json.get("max_concurrency").asInt()).isEqualTo(3);
        assertThat(json.get("endpoint").asText()).isEqualTo("/v1/completions");
        assertThat(json.get("goodput_ratio").asDouble()).isEqualTo(1.0);
        assertThat(json.get("request_goodput").asDouble()).isEqualTo(json.get("request_throughput").asDouble());
        assertFilesWritten(out);
    }

    @Test
    void benchTrace_thenReplay_sameSeedSameBytesAndEveryRecordCompletes(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("t.jsonl");
        String[] generate = {"bench", "trace", "--out", trace.toString(), "--requests", "16", "--seed", "9",
                "--prompt-median", "40", "--output-median", "6", "--output-max", "10",
                "--tenant", "name=chat,rate=12,priority=2,prefix-groups=2,prefix-tokens=30,turns=2,think-time=0.2s",
                "--tenant", "name=batch,rate-schedule=0s:2;0.5s:8,cv=2"};
        CommandRun g = flotilla(generate);
        assertThat(g.exitCode()).as(g.out() + g.err()).isZero();
        assertThat(g.out()).contains("wrote 16 records");
        byte[] first = Files.readAllBytes(trace);
        assertThat(flotilla(generate).exitCode()).isZero();
        assertThat(Files.readAllBytes(trace)).isEqualTo(first);

        Path out = dir.resolve("replay");
        CommandRun r = flotilla("bench", "--url", url(), "--trace", trace.toString(), "--time-scale", "0.5",
                "--out", out.toString(), "--no-progress");

        assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
        JsonNode json = JSON.readTree(out.resolve("result.json").toFile());
        assertConsistent(json);
        assertThat(json.get("completed").asLong()).isEqualTo(16);
        assertThat(json.get("mode").asText()).isEqualTo("trace");
        assertThat(json.get("time_scale").asDouble()).isEqualTo(0.5);
    }

    @Test
    void bench_badOptions_exitTwoNamingTheOption() {
        CommandRun noMode = flotilla("bench", "--url", url());
        CommandRun twoModes = flotilla("bench", "--url", url(), "--rate", "1", "--concurrency", "2");
        CommandRun noUrl = flotilla("bench", "--rate", "1");
        CommandRun badDuration = flotilla("bench", "--url", url(), "--rate", "1", "--duration", "soon");
        CommandRun noBound = flotilla("bench", "trace", "--out", "x.jsonl");
        CommandRun noServer = flotilla("bench", "--url", "http://127.0.0.1:1", "--rate", "1", "--no-progress");

        assertThat(noMode.exitCode()).isEqualTo(2);
        assertThat(noMode.err()).contains("expected exactly one of --rate, --concurrency, --trace");
        assertThat(twoModes.err()).contains("mode: several");
        assertThat(noUrl.err()).contains("--url: missing");
        assertThat(badDuration.err()).contains("--duration: time 'soon'");
        assertThat(noBound.exitCode()).isEqualTo(2);
        assertThat(noBound.err()).contains("expected --duration, --requests or both");
        // without --model the bench asks the server, and says so when nobody answers
        assertThat(noServer.exitCode()).isEqualTo(2);
        assertThat(noServer.err()).contains("GET http://127.0.0.1:1/v1/models", "Connection refused", "is the server up?");
    }
}
