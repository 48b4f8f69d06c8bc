package dev.flotilla.engine.telemetry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Reads a costly source (a process, an HTTP call) at most once per interval: scrapes every 100 ms
 * must not start ten nvidia-smi processes a second. A failure is remembered for the interval too.
 */
final class CachedGpuTelemetry implements GpuTelemetry {
    private final GpuTelemetry source;
    private final Clock clock;
    private final Duration minInterval;
    // Guarded by this; one reader at a time, so callers queue behind a slow read rather than start another.
    private Instant readAt;
    private List<GpuSample> samples;
    private GpuTelemetryException failure;

    CachedGpuTelemetry(GpuTelemetry source, Clock clock, Duration minInterval) {
        this.source = Objects.requireNonNull(source, "source");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.minInterval = Objects.requireNonNull(minInterval, "minInterval");
    }

    @Override
    public synchronized List<GpuSample> sample() {
        Instant now = clock.instant();
        if (readAt == null || Duration.between(readAt, now).compareTo(minInterval) >= 0) {
            try {
                samples = List.copyOf(source.sample());
                failure = null;
            } catch (GpuTelemetryException e) {
                samples = null;
                failure = e;
            }
            readAt = clock.instant();
        }
        if (failure != null) {
            throw failure;
        }
        return samples;
    }

    @Override
    public String description() {
        return source.description();
    }
}
