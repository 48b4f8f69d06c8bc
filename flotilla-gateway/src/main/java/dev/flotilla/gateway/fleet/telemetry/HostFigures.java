package dev.flotilla.gateway.fleet.telemetry;

/**
 * A node's host as its {@code flotilla_host_*} series report it; a figure not reported is NaN.
 *
 * @param cpuUsage         busy fraction of all CPUs, 0..1
 * @param memoryUsedBytes  memory in use (total minus available)
 * @param memoryTotalBytes physical memory
 * @param load1            one-minute load average
 */
public record HostFigures(double cpuUsage, double memoryUsedBytes, double memoryTotalBytes, double load1) {
    /** Nothing reported. */
    public static final HostFigures UNKNOWN = new HostFigures(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
}
