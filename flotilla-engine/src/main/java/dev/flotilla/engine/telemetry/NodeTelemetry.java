package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.Engine;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node reports about its hardware: the host through OSHI and its GPUs through one
 * {@link GpuTelemetry} source. {@link #sample()} may block (nvidia-smi, DCGM), so the node server
 * calls it on worker threads; a failing GPU source is logged when its error changes and reported
 * in the sample, never thrown.
 */
public final class NodeTelemetry {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTelemetry.class);

    private final HostTelemetry host;
    private final GpuTelemetry gpu;
    // Guarded by this: the last GPU error logged, so a source failing every scrape logs once.
    private String lastError;

    public NodeTelemetry(HostTelemetry host, GpuTelemetry gpu) {
        this.host = Objects.requireNonNull(host, "host");
        this.gpu = Objects.requireNonNull(gpu, "gpu");
    }

    /** The host through OSHI and the GPU source {@link GpuTelemetry#detect} picks for this engine. */
    public static NodeTelemetry detect(Engine engine, Clock clock) {
        return new NodeTelemetry(HostTelemetry.oshi(clock), GpuTelemetry.detect(engine, clock));
    }

    public HostTelemetry host() {
        return host;
    }

    public GpuTelemetry gpu() {
        return gpu;
    }

    /** Reads the host and the GPUs (each source may return a recent cached reading). */
    public TelemetrySample sample() {
        HostSample h = host.sample();
        List<GpuSample> gpus = List.of();
        String error = null;
        try {
            gpus = gpu.sample();
        } catch (GpuTelemetryException e) {
            error = e.getMessage();
        }
        noteError(error);
        return new TelemetrySample(h, gpus, gpu.description(), error);
    }

    private synchronized void noteError(String error) {
        if (Objects.equals(error, lastError)) {
            return;
        }
        if (error != null) {
            LOG.warn("GPU telemetry from {} failed: {}", gpu.description(), error);
        } else {
            LOG.info("GPU telemetry from {} works again", gpu.description());
        }
        lastError = error;
    }
}
