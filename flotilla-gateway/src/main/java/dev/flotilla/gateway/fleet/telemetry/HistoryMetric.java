package dev.flotilla.gateway.fleet.telemetry;

import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The figures kept in a node's history, with their wire names. GPU figures of a node with several
 * GPUs: utilisation and temperature are the mean over its GPUs, memory used and power the sum (the
 * node's totals); a GPU whose figure is unknown is left out, and no GPU gives no point.
 */
public enum HistoryMetric {
    RUNNING("running", "requests", t -> t.load().running()),
    WAITING("waiting", "requests", t -> t.load().waiting()),
    KV_CACHE_USAGE("kv_cache_usage", "ratio", t -> t.load().kvCacheUsage()),
    TOKENS_PER_SECOND("tokens_per_second", "tokens/s", TelemetrySnapshot::generationTokensPerSecond),
    GPU_UTILISATION("gpu_utilisation", "ratio", t -> mean(t, GpuFigures::utilisation)),
    GPU_MEMORY_USED("gpu_memory_used", "bytes", t -> sum(t, GpuFigures::memoryUsedBytes)),
    GPU_TEMPERATURE("gpu_temperature", "celsius", t -> mean(t, GpuFigures::temperatureC)),
    GPU_POWER("gpu_power", "watts", t -> sum(t, GpuFigures::powerW)),
    HOST_CPU("host_cpu", "ratio", t -> t.host().cpuUsage()),
    HOST_MEMORY_USED("host_memory_used", "bytes", t -> t.host().memoryUsedBytes());

    private final String wireName;
    private final String unit;
    private final ToDoubleFunction<TelemetrySnapshot> read;

    HistoryMetric(String wireName, String unit, ToDoubleFunction<TelemetrySnapshot> read) {
        this.wireName = wireName;
        this.unit = unit;
        this.read = read;
    }

    /** The name in the admin API, e.g. {@code kv_cache_usage}. */
    public String wireName() {
        return wireName;
    }

    public String unit() {
        return unit;
    }

    /** This figure of a snapshot; NaN when unknown. */
    public double of(TelemetrySnapshot snapshot) {
        return read.applyAsDouble(snapshot);
    }

    public static Optional<HistoryMetric> byWireName(String name) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(HistoryMetric::wireName).toList();
    }

    private static double mean(TelemetrySnapshot t, ToDoubleFunction<GpuFigures> f) {
        DoubleSummaryStatistics known = known(t, f);
        return known.getCount() == 0 ? Double.NaN : known.getAverage();
    }

    private static double sum(TelemetrySnapshot t, ToDoubleFunction<GpuFigures> f) {
        DoubleSummaryStatistics known = known(t, f);
        return known.getCount() == 0 ? Double.NaN : known.getSum();
    }

    /** The figure over the GPUs that report it (NaN means unknown, not zero). */
    private static DoubleSummaryStatistics known(TelemetrySnapshot t, ToDoubleFunction<GpuFigures> f) {
        return t.gpus().stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).summaryStatistics();
    }
}
