package dev.flotilla.engine.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.flotilla.protocol.PrometheusText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DcgmExporterTest {
    private static final long MIB = 1024L * 1024L;
    private static final List<GpuSample> RECORDED = List.of(
            new GpuSample(0, "NVIDIA A100-SXM4-80GB", 0.93, 78010 * MIB, (78010 + 2913) * MIB, 62, 348.117),
            new GpuSample(1, "NVIDIA A100-SXM4-80GB", 0.00, 309 * MIB, (309 + 80614) * MIB, 31, 58.904));

    static Stream<Arguments> expositions() {
        return Stream.of(
                Arguments.of(Named.of("recorded exporter output, 2 GPUs", Recorded.text("dcgm-exporter-2gpu.prom")),
                        RECORDED),
                Arguments.of(Named.of("gpus out of order, only some figures", """
                        DCGM_FI_DEV_GPU_TEMP{gpu="3",modelName="NVIDIA L4"} 41
                        DCGM_FI_DEV_GPU_UTIL{gpu="1",modelName="NVIDIA L4"} 50
                        DCGM_FI_DEV_FB_USED{gpu="1",modelName="NVIDIA L4"} 1024
                        """), List.of(
                        new GpuSample(1, "NVIDIA L4", 0.5, 1024 * MIB, GpuSample.UNKNOWN_BYTES, Double.NaN, Double.NaN),
                        new GpuSample(3, "NVIDIA L4", Double.NaN, GpuSample.UNKNOWN_BYTES, GpuSample.UNKNOWN_BYTES,
                                41, Double.NaN))),
                Arguments.of(Named.of("the first series of a GPU wins (pod attribution)", """
                        DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="Tesla T4",pod="a"} 10
                        DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="Tesla T4",pod="b"} 99
                        """), List.of(new GpuSample(0, "Tesla T4", 0.1, GpuSample.UNKNOWN_BYTES,
                        GpuSample.UNKNOWN_BYTES, Double.NaN, Double.NaN))),
                Arguments.of(Named.of("no DCGM series", "vllm:num_requests_running{model_name=\"m\"} 3\n"), List.of()));
    }

    @ParameterizedTest
    @MethodSource("expositions")
    void map_exposition_givesOneSamplePerGpuInIndexOrder(String text, List<GpuSample> expected) {
        assertThat(DcgmExporter.map(PrometheusText.parse(text))).isEqualTo(expected);
    }

    @Test
    void map_gpuLabelNotAnIndex_failsNamingTheSeries() {
        var samples = PrometheusText.parse("DCGM_FI_DEV_GPU_TEMP{gpu=\"GPU-abc\",modelName=\"X\"} 40\n");
        assertThatThrownBy(() -> DcgmExporter.map(samples))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DCGM_FI_DEV_GPU_TEMP")
                .hasMessageContaining("'GPU-abc'");
    }

    @Test
    void sample_exporterOnLoopback_readsAndMapsItsMetrics() throws IOException {
        HttpServer server = serve(200, Recorded.text("dcgm-exporter-2gpu.prom"));
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
            DcgmExporter exporter = new DcgmExporter(url, Duration.ofSeconds(5));
            assertThat(exporter.sample()).isEqualTo(RECORDED);
            assertThat(exporter.description()).contains(url.toString());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void sample_exporterAnswering500_throwsNamingTheUrlAndStatus() throws IOException {
        HttpServer server = serve(500, "oops");
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
            assertThatThrownBy(() -> new DcgmExporter(url, Duration.ofSeconds(5)).sample())
                    .isInstanceOf(GpuTelemetryException.class)
                    .hasMessageContaining(url.toString())
                    .hasMessageContaining("HTTP 500");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void sample_garbageBody_throwsNamingTheLine() throws IOException {
        HttpServer server = serve(200, "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 12\n");
        try {
            URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics");
            assertThatThrownBy(() -> new DcgmExporter(url, Duration.ofSeconds(5)).sample())
                    .isInstanceOf(GpuTelemetryException.class)
                    .hasMessageContaining("line 1");
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer serve(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
