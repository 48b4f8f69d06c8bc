package dev.flotilla.engine.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.telemetry.GpuTelemetry;
import dev.flotilla.engine.telemetry.HostTelemetry;
import dev.flotilla.engine.telemetry.NodeTelemetry;
import dev.flotilla.protocol.PrometheusText;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hardware telemetry on real nodes: a simulated GPU node (DCGM-named series) and a host-only node. */
class NodeTelemetryIT {
    private static final String MODEL = "sim-telemetry";
    // 50 ms a token: a generation of a few sentences runs for a second or more
    private static final AcceleratorProfile SLOW = new AcceleratorProfile("slow-gpu", 16, 300, 65,
            50, 0, 5, 0, 8, 20_000, 4096);
    private static final Map<String, String> GPU0 = Map.of("gpu", "0", "modelName", "slow-gpu");

    private static SimulatedEngine engine;
    private static NodeServer gpuNode;
    private static NodeServer hostOnlyNode;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        engine = SimulatedEngine.realTime(MODEL, SLOW);
        gpuNode = NodeServer.start(NodeServerConfig.loopback("gpu-node", 0), engine, Clock.systemUTC());
        // a CPU node: the host only, as a llama.cpp node without nvidia-smi reports
        hostOnlyNode = NodeServer.start(NodeServerConfig.loopback("cpu-node", 0), engine, Clock.systemUTC(),
                new NodeTelemetry(HostTelemetry.oshi(Clock.systemUTC()), GpuTelemetry.none("no nvidia-smi on PATH")));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        http.shutdownNow(); // close() would wait for a stream a failed test left open
        gpuNode.close();
        hostOnlyNode.close();
        engine.close();
    }

    private static String get(NodeServer node, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    private static List<PrometheusText.Sample> metrics(NodeServer node) throws Exception {
        return PrometheusText.parse(get(node, "/metrics"));
    }

    private static double gpu(List<PrometheusText.Sample> samples, String name) {
        return PrometheusText.value(samples, name, GPU0);
    }

    @Test
    void metrics_simulatedNodeUnderLoad_reportDcgmSeriesWithPlausibleValues() throws Exception {
        List<PrometheusText.Sample> idle = metrics(gpuNode);
        double idleTemp = gpu(idle, "DCGM_FI_DEV_GPU_TEMP");
        double idlePower = gpu(idle, "DCGM_FI_DEV_POWER_USAGE");
        assertThat(idleTemp).isBetween(20.0, 40.0);
        assertThat(idlePower).isBetween(10.0, 100.0);

        CompletableFuture<HttpResponse<String>> generation = http.sendAsync(HttpRequest.newBuilder(
                        URI.create(gpuNode.url() + "/v1/completions"))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL
                        + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":2000,\"temperature\":0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.state().running() == 1);

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(150)).untilAsserted(() -> {
            List<PrometheusText.Sample> busy = metrics(gpuNode);
            assertThat(gpu(busy, "DCGM_FI_DEV_GPU_UTIL")).isGreaterThan(50.0).isLessThanOrEqualTo(100.0);
            assertThat(gpu(busy, "DCGM_FI_DEV_POWER_USAGE")).isGreaterThan(idlePower);
        });
        List<PrometheusText.Sample> busy = metrics(gpuNode);
        double usedMiB = gpu(busy, "DCGM_FI_DEV_FB_USED");
        double freeMiB = gpu(busy, "DCGM_FI_DEV_FB_FREE");
        // 13.48 GB of weights plus the KV reservation of the running generation, on a 16 GB card
        assertThat(usedMiB).isGreaterThan(AcceleratorProfile.REFERENCE_WEIGHT_BYTES / 1048576.0);
        assertThat((usedMiB + freeMiB) * 1048576).isCloseTo(16e9, org.assertj.core.data.Offset.offset(1.0));
        assertThat(gpu(busy, "DCGM_FI_DEV_GPU_TEMP")).isGreaterThanOrEqualTo(idleTemp).isLessThan(100.0);
        // the vLLM series are still there beside them
        assertThat(PrometheusText.value(busy, "vllm:num_requests_running", Map.of("model_name", MODEL))).isEqualTo(1.0);
        assertHostSeries(busy);

        assertThat(generation.get().statusCode()).isEqualTo(200);
    }

    @Test
    void metrics_hostOnlyNode_haveHostSeriesAndNoGpuSeries() throws Exception {
        List<PrometheusText.Sample> samples = metrics(hostOnlyNode);
        assertHostSeries(samples);
        assertThat(samples).noneMatch(s -> s.name().startsWith("DCGM_"));
    }

    @Test
    void nodeInfo_telemetry_hasHostAndGpuFigures() throws Exception {
        JsonObject t = new JsonObject(get(gpuNode, "/node/info")).getJsonObject("telemetry");
        JsonObject host = t.getJsonObject("host");
        assertThat(host.getDouble("cpu_usage")).isBetween(0.0, 1.0);
        assertThat(host.getLong("memory_used_bytes")).isPositive().isLessThanOrEqualTo(host.getLong("memory_total_bytes"));
        assertThat(t.getString("gpu_source")).isEqualTo("simulated (slow-gpu)");
        assertThat(t.getString("gpu_error")).isNull();
        JsonObject g = t.getJsonArray("gpus").getJsonObject(0);
        assertThat(g.getInteger("index")).isZero();
        assertThat(g.getString("name")).isEqualTo("slow-gpu");
        assertThat(g.getLong("memory_total_bytes")).isEqualTo(16_000_000_000L);
        assertThat(g.getDouble("temperature_c")).isBetween(20.0, 100.0);

        JsonObject cpu = new JsonObject(get(hostOnlyNode, "/node/info")).getJsonObject("telemetry");
        assertThat(cpu.getJsonArray("gpus")).isEmpty();
        assertThat(cpu.getString("gpu_source")).isEqualTo("none: no nvidia-smi on PATH");
        assertThat(cpu.getJsonObject("host").getLong("memory_total_bytes")).isPositive();
    }

    private static void assertHostSeries(List<PrometheusText.Sample> samples) {
        Map<String, String> none = Map.of();
        assertThat(PrometheusText.value(samples, "flotilla_host_cpu_usage_ratio", none)).isBetween(0.0, 1.0);
        double used = PrometheusText.value(samples, "flotilla_host_memory_used_bytes", none);
        double total = PrometheusText.value(samples, "flotilla_host_memory_total_bytes", none);
        assertThat(used).isPositive().isLessThanOrEqualTo(total);
        assertThat(PrometheusText.value(samples, "flotilla_host_load1", none)).isGreaterThanOrEqualTo(0.0);
    }
}
