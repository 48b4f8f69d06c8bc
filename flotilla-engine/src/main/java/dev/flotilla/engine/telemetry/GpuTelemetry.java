package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.sim.SimulatedEngine;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A source of per-GPU figures: nvidia-smi, a DCGM exporter, the simulated engine's model, or none.
 * {@link #sample()} may block (a process, an HTTP call), so it is called from worker threads only.
 */
public interface GpuTelemetry {

    /** How often a real source (a process or an HTTP call) is read at most; readings in between are reused. */
    Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(500);

    /**
     * The current figures, one per GPU in index order; empty when the node has no GPU to report.
     *
     * @throws GpuTelemetryException naming the source when it cannot be read or understood
     */
    List<GpuSample> sample();

    /** Where the figures come from, for logs and {@code /node/info}, e.g. "nvidia-smi (/usr/bin/nvidia-smi)". */
    String description();

    /** A source with no GPUs; {@code reason} says why, e.g. "no nvidia-smi on PATH". */
    static GpuTelemetry none(String reason) {
        return new NoGpu(reason);
    }

    /** {@code source}, read at most once per {@code minInterval} of {@code clock}; failures are reused too. */
    static GpuTelemetry cached(GpuTelemetry source, Clock clock, Duration minInterval) {
        return new CachedGpuTelemetry(source, clock, minInterval);
    }

    /**
     * The default source for a node: the modelled GPU of a {@link SimulatedEngine}; otherwise nvidia-smi
     * if it is on the {@code PATH}; otherwise none, saying "no nvidia-smi on PATH".
     */
    static GpuTelemetry detect(Engine engine, Clock clock) {
        if (engine instanceof SimulatedEngine simulated) {
            return SimulatedGpuTelemetry.of(simulated);
        }
        return NvidiaSmi.locate(System.getenv("PATH"))
                .<GpuTelemetry>map(exe -> cached(NvidiaSmi.at(exe, NvidiaSmi.DEFAULT_TIMEOUT), clock, DEFAULT_MIN_INTERVAL))
                .orElseGet(() -> none("no nvidia-smi on PATH"));
    }

    /**
     * The source a node's configuration names: {@code auto} (see {@link #detect}), {@code none},
     * {@code nvidia-smi} (must be on the PATH), {@code simulated} (the engine must be simulated), or
     * the {@code http(s)://} URL of a DCGM exporter's {@code /metrics}.
     *
     * @throws IllegalArgumentException naming the value when it is none of these or cannot be honoured
     */
    static GpuTelemetry fromSetting(String setting, Engine engine, Clock clock) {
        String value = setting == null ? "auto" : setting.strip();
        switch (value.toLowerCase(Locale.ROOT)) {
            case "", "auto" -> {
                return detect(engine, clock);
            }
            case "none" -> {
                return none("GPU telemetry turned off");
            }
            case "nvidia-smi" -> {
                return NvidiaSmi.locate(System.getenv("PATH"))
                        .<GpuTelemetry>map(exe -> cached(NvidiaSmi.at(exe, NvidiaSmi.DEFAULT_TIMEOUT), clock,
                                DEFAULT_MIN_INTERVAL))
                        .orElseThrow(() -> new IllegalArgumentException(
                                "gpu telemetry: 'nvidia-smi' (no nvidia-smi on PATH)"));
            }
            case "simulated" -> {
                if (engine instanceof SimulatedEngine simulated) {
                    return SimulatedGpuTelemetry.of(simulated);
                }
                throw new IllegalArgumentException("gpu telemetry: 'simulated' (the engine is "
                        + engine.info().engine() + ", not simulated)");
            }
            default -> {
                if (value.startsWith("http://") || value.startsWith("https://")) {
                    URI url;
                    try {
                        url = URI.create(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("gpu telemetry: '" + value + "' is not a valid URL: "
                                + e.getMessage(), e);
                    }
                    return cached(new DcgmExporter(url, DcgmExporter.DEFAULT_TIMEOUT), clock, DEFAULT_MIN_INTERVAL);
                }
                throw new IllegalArgumentException("gpu telemetry: '" + value
                        + "' (expected auto, none, nvidia-smi, simulated or a DCGM exporter URL http://host:9400/metrics)");
            }
        }
    }

    /** No GPUs to report. */
    record NoGpu(String reason) implements GpuTelemetry {
        @Override
        public List<GpuSample> sample() {
            return List.of();
        }

        @Override
        public String description() {
            return "none: " + reason;
        }
    }
}
