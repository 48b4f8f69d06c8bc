package dev.flotilla.engine.telemetry;

import java.time.Instant;

/**
 * One reading of the host a node runs on.
 *
 * @param at               when it was taken
 * @param cpuUsage         fraction of all CPUs busy over the interval since the previous reading, 0 to 1
 * @param memoryUsedBytes  physical memory in use (total minus available)
 * @param memoryTotalBytes physical memory installed
 * @param load1            one-minute load average; NaN where the operating system has none (Windows)
 */
public record HostSample(Instant at, double cpuUsage, long memoryUsedBytes, long memoryTotalBytes, double load1) {
}
