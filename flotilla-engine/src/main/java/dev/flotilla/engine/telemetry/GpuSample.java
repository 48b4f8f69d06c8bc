package dev.flotilla.engine.telemetry;

/**
 * One GPU's figures at one moment, whatever the source (nvidia-smi, a DCGM exporter, the simulated
 * engine's model). Unknown values are NaN, unknown byte counts {@link #UNKNOWN_BYTES}.
 *
 * @param index            the GPU's index on its host, as nvidia-smi and DCGM number them
 * @param name             the device name, e.g. "NVIDIA H100 80GB HBM3"
 * @param utilisation      fraction of the recent past in which a kernel ran, 0 to 1
 * @param memoryUsedBytes  device memory in use
 * @param memoryTotalBytes device memory installed
 * @param temperatureC     GPU core temperature, degrees Celsius
 * @param powerW           power draw, watts
 */
public record GpuSample(int index, String name, double utilisation, long memoryUsedBytes, long memoryTotalBytes,
                        double temperatureC, double powerW) {
    /** The byte count of a figure the source does not report. */
    public static final long UNKNOWN_BYTES = -1;

    private static final double MIB = 1024.0 * 1024.0;

    public GpuSample {
        if (index < 0) {
            throw new IllegalArgumentException("index: " + index + " (expected >= 0)");
        }
        if (name == null) {
            throw new IllegalArgumentException("name: null (expected the device name)");
        }
    }

    /** Memory in use in MiB (DCGM's unit), NaN when unknown. */
    public double memoryUsedMiB() {
        return memoryUsedBytes < 0 ? Double.NaN : memoryUsedBytes / MIB;
    }

    /** Memory free in MiB (DCGM's unit), NaN when either figure is unknown. */
    public double memoryFreeMiB() {
        return memoryUsedBytes < 0 || memoryTotalBytes < 0 ? Double.NaN
                : Math.max(0, memoryTotalBytes - memoryUsedBytes) / MIB;
    }
}
