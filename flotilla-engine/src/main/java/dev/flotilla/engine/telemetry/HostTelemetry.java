package dev.flotilla.engine.telemetry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The host's CPU use, memory and load, read through OSHI on demand. A reading younger than the
 * minimum interval is returned again, so frequent scrapes cost no more than one reading per
 * interval, and CPU use is always measured over at least that interval. Safe from any thread; a
 * reading reads a few /proc files, so callers keep it off event loops.
 */
public final class HostTelemetry {
    /** Default minimum interval between two readings. */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(200);

    private final HostProbe probe;
    private final Clock clock;
    private final Duration minInterval;
    // Guarded by this.
    private long[] previousTicks;
    private HostSample latest;

    HostTelemetry(HostProbe probe, Clock clock, Duration minInterval) {
        this.probe = Objects.requireNonNull(probe, "probe");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.minInterval = Objects.requireNonNull(minInterval, "minInterval");
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("minInterval: " + minInterval + " (expected >= 0)");
        }
        // The first reading's CPU use is measured from here.
        this.previousTicks = probe.cpuTicks();
    }

    /** The host this JVM runs on, read through OSHI, at most once per {@link #DEFAULT_MIN_INTERVAL}. */
    public static HostTelemetry oshi(Clock clock) {
        return new HostTelemetry(new OshiHostProbe(), clock, DEFAULT_MIN_INTERVAL);
    }

    /** The latest reading, taken now unless the previous one is younger than the minimum interval. */
    public synchronized HostSample sample() {
        Instant now = clock.instant();
        if (latest != null && Duration.between(latest.at(), now).compareTo(minInterval) < 0) {
            return latest;
        }
        long[] ticks = probe.cpuTicks();
        double cpu = clamp(probe.cpuBusyBetween(previousTicks, ticks));
        previousTicks = ticks;
        long total = probe.memoryTotalBytes();
        long used = Math.max(0, total - probe.memoryAvailableBytes());
        double load = probe.load1();
        latest = new HostSample(now, cpu, used, total, load < 0 ? Double.NaN : load);
        return latest;
    }

    private static double clamp(double fraction) {
        if (Double.isNaN(fraction)) {
            return 0;
        }
        return Math.max(0, Math.min(1, fraction));
    }
}
