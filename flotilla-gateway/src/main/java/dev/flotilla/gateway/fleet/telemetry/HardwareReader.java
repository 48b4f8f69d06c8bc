package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the hardware series of a node's {@code /metrics} (docs/telemetry.md): per GPU the DCGM
 * exporter's names, keyed by the {@code gpu} label, and the host's {@code flotilla_host_*}. Pure.
 * When several series carry one figure of one GPU (pod attribution labels) the first wins, as on
 * the node side.
 */
public final class HardwareReader {
    static final String GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";
    static final String FB_USED = "DCGM_FI_DEV_FB_USED";
    static final String FB_FREE = "DCGM_FI_DEV_FB_FREE";
    static final String GPU_TEMP = "DCGM_FI_DEV_GPU_TEMP";
    static final String POWER = "DCGM_FI_DEV_POWER_USAGE";
    private static final double MIB = 1024.0 * 1024.0;

    private HardwareReader() {
    }

    /** The GPUs in order of first appearance; empty when the node reports none. */
    public static List<GpuFigures> gpus(Exposition exposition) {
        Map<String, double[]> figures = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        List<String> order = List.of(GPU_UTIL, FB_USED, FB_FREE, GPU_TEMP, POWER);
        for (Sample s : exposition.samples()) {
            int field = order.indexOf(s.name());
            String gpu = s.label("gpu");
            if (field < 0 || gpu == null) {
                continue;
            }
            double[] f = figures.computeIfAbsent(gpu, g -> new double[] {Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN});
            if (Double.isNaN(f[field])) {
                f[field] = s.value();
            }
            names.putIfAbsent(gpu, s.label("modelName"));
        }
        List<GpuFigures> out = new ArrayList<>(figures.size());
        for (Map.Entry<String, double[]> e : figures.entrySet()) {
            double[] f = e.getValue();
            out.add(new GpuFigures(e.getKey(), names.get(e.getKey()), f[0] / 100.0, f[1] * MIB,
                    (f[1] + f[2]) * MIB, f[3], f[4]));
        }
        return out;
    }

    /** The host figures; NaN for each series absent. */
    public static HostFigures host(Exposition exposition) {
        return new HostFigures(first(exposition, "flotilla_host_cpu_usage_ratio"),
                first(exposition, "flotilla_host_memory_used_bytes"),
                first(exposition, "flotilla_host_memory_total_bytes"),
                first(exposition, "flotilla_host_load1"));
    }

    private static double first(Exposition exposition, String name) {
        List<Sample> samples = exposition.samples(name);
        return samples.isEmpty() ? Double.NaN : samples.get(0).value();
    }
}
