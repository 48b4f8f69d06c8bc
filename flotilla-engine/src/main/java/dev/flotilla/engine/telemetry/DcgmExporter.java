package dev.flotilla.engine.telemetry;

import dev.flotilla.protocol.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * GPU figures from an NVIDIA DCGM exporter's {@code /metrics} (Prometheus text): one blocking HTTP
 * GET per reading, bounded by a timeout, so wrap it in {@link GpuTelemetry#cached} and call it from
 * worker threads. {@link #map(List)} is the pure mapping of the exposition to samples.
 */
public final class DcgmExporter implements GpuTelemetry {
    /** GPU utilisation, percent. */
    public static final String GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";
    /** Framebuffer memory used, MiB. */
    public static final String FB_USED = "DCGM_FI_DEV_FB_USED";
    /** Framebuffer memory free, MiB. */
    public static final String FB_FREE = "DCGM_FI_DEV_FB_FREE";
    /** GPU temperature, degrees Celsius. */
    public static final String GPU_TEMP = "DCGM_FI_DEV_GPU_TEMP";
    /** Power draw, watts. */
    public static final String POWER_USAGE = "DCGM_FI_DEV_POWER_USAGE";
    /** The label holding the GPU's index. */
    public static final String GPU_LABEL = "gpu";
    /** The label holding the device name. */
    public static final String MODEL_LABEL = "modelName";
    /** How long one GET may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private static final double MIB = 1024.0 * 1024.0;

    private final URI url;
    private final Duration timeout;
    private final HttpClient client;

    public DcgmExporter(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected > 0)");
        }
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public List<GpuSample> sample() {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new GpuTelemetryException("DCGM exporter " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GpuTelemetryException("DCGM exporter " + url + ": interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new GpuTelemetryException("DCGM exporter " + url + ": HTTP " + response.statusCode());
        }
        try {
            return map(PrometheusText.parse(response.body()));
        } catch (IllegalArgumentException e) {
            throw new GpuTelemetryException("DCGM exporter " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String description() {
        return "DCGM exporter (" + url + ")";
    }

    /**
     * One sample per {@code gpu} label value, in index order: utilisation from percent, memory from
     * used and free MiB (total = used + free), temperature and power as they are. A figure the
     * exposition lacks is NaN (unknown bytes for memory); the first series of a GPU wins when several
     * carry the same one (e.g. with pod labels). Other metrics are ignored.
     *
     * @throws IllegalArgumentException naming the series when a {@code gpu} label is not a GPU index
     */
    public static List<GpuSample> map(List<PrometheusText.Sample> samples) {
        Map<Integer, Figures> byGpu = new TreeMap<>();
        for (PrometheusText.Sample s : samples) {
            int field = switch (s.name()) {
                case GPU_UTIL -> 0;
                case FB_USED -> 1;
                case FB_FREE -> 2;
                case GPU_TEMP -> 3;
                case POWER_USAGE -> 4;
                default -> -1;
            };
            if (field < 0) {
                continue;
            }
            String gpu = s.label(GPU_LABEL);
            int index;
            try {
                index = Integer.parseInt(gpu == null ? "" : gpu.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(s.name() + s.labels() + ": label gpu '" + gpu
                        + "' is not a GPU index");
            }
            if (index < 0) {
                throw new IllegalArgumentException(s.name() + s.labels() + ": label gpu " + index + " is negative");
            }
            Figures f = byGpu.computeIfAbsent(index, i -> new Figures());
            if (f.name == null && s.label(MODEL_LABEL) != null) {
                f.name = s.label(MODEL_LABEL);
            }
            if (Double.isNaN(f.values[field])) {
                f.values[field] = s.value();
            }
        }
        List<GpuSample> out = new ArrayList<>(byGpu.size());
        byGpu.forEach((index, f) -> {
            double used = f.values[1];
            double free = f.values[2];
            out.add(new GpuSample(index, f.name == null ? "" : f.name, f.values[0] / 100.0,
                    bytes(used), Double.isNaN(used) || Double.isNaN(free) ? GpuSample.UNKNOWN_BYTES : bytes(used + free),
                    f.values[3], f.values[4]));
        });
        return out;
    }

    private static long bytes(double mib) {
        return Double.isNaN(mib) || mib < 0 ? GpuSample.UNKNOWN_BYTES : Math.round(mib * MIB);
    }

    private static final class Figures {
        final double[] values = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        String name;
    }
}
