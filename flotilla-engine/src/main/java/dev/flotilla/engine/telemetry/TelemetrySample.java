package dev.flotilla.engine.telemetry;

import java.util.List;

/**
 * One reading of everything a node reports about its hardware.
 *
 * @param host      the host's CPU, memory and load
 * @param gpus      one sample per GPU; empty with no GPU source, or when it failed
 * @param gpuSource where the GPU figures come from ({@link GpuTelemetry#description()})
 * @param gpuError  why the GPU source could not be read this time, or null
 */
public record TelemetrySample(HostSample host, List<GpuSample> gpus, String gpuSource, String gpuError) {
    public TelemetrySample {
        gpus = List.copyOf(gpus);
    }
}
