package dev.flotilla.gateway.fleet.telemetry;

/**
 * One GPU of a node as its {@code /metrics} reports it under the DCGM exporter's names; a figure
 * not reported is NaN.
 *
 * @param gpu              the {@code gpu} label (the device index)
 * @param name             the {@code modelName} label, or null
 * @param utilisation      fraction of time a kernel ran, 0..1 ({@code DCGM_FI_DEV_GPU_UTIL} / 100)
 * @param memoryUsedBytes  {@code DCGM_FI_DEV_FB_USED} (MiB) in bytes
 * @param memoryTotalBytes used + {@code DCGM_FI_DEV_FB_FREE}, in bytes
 * @param temperatureC     {@code DCGM_FI_DEV_GPU_TEMP}
 * @param powerW           {@code DCGM_FI_DEV_POWER_USAGE}
 */
public record GpuFigures(String gpu, String name, double utilisation, double memoryUsedBytes,
                         double memoryTotalBytes, double temperatureC, double powerW) {
}
