package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HostTelemetryTest {

    @Test
    void oshi_thisHost_givesSaneFigures() {
        HostSample s = HostTelemetry.oshi(Clock.systemUTC()).sample();
        assertThat(s.cpuUsage()).isBetween(0.0, 1.0);
        assertThat(s.memoryTotalBytes()).isPositive();
        assertThat(s.memoryUsedBytes()).isPositive().isLessThanOrEqualTo(s.memoryTotalBytes());
        // Linux always has a load average
        assertThat(s.load1()).isNotNaN().isGreaterThanOrEqualTo(0.0);
    }

    /** Ticks are {busy, idle}; each reading of the ticks adds 3 busy and 1 idle. */
    private static final class FakeProbe implements HostProbe {
        final AtomicInteger tickReads = new AtomicInteger();
        double load = 1.5;

        @Override
        public long[] cpuTicks() {
            int n = tickReads.incrementAndGet();
            return new long[] {3L * n, n};
        }

        @Override
        public double cpuBusyBetween(long[] before, long[] after) {
            double busy = after[0] - before[0];
            double idle = after[1] - before[1];
            return busy / (busy + idle);
        }

        @Override
        public long memoryTotalBytes() {
            return 1000;
        }

        @Override
        public long memoryAvailableBytes() {
            return 400;
        }

        @Override
        public double load1() {
            return load;
        }
    }

    @Test
    void sample_fromProbe_givesCpuFromTickDeltasAndMemoryUsedAsTotalMinusAvailable() {
        FakeProbe probe = new FakeProbe();
        ManualClock clock = new ManualClock();
        HostSample s = new HostTelemetry(probe, clock, Duration.ofMillis(200)).sample();
        assertThat(s.cpuUsage()).isEqualTo(0.75);
        assertThat(s.memoryUsedBytes()).isEqualTo(600);
        assertThat(s.memoryTotalBytes()).isEqualTo(1000);
        assertThat(s.load1()).isEqualTo(1.5);
        assertThat(s.at()).isEqualTo(clock.instant());
    }

    @Test
    void sample_withinTheMinimumInterval_reusesTheReading() {
        FakeProbe probe = new FakeProbe();
        ManualClock clock = new ManualClock();
        HostTelemetry host = new HostTelemetry(probe, clock, Duration.ofMillis(200));
        HostSample first = host.sample();
        clock.advance(Duration.ofMillis(199));
        assertThat(host.sample()).isSameAs(first);
        assertThat(probe.tickReads).hasValue(2); // construction and the first reading only
        clock.advance(Duration.ofMillis(1));
        HostSample second = host.sample();
        assertThat(second).isNotSameAs(first);
        assertThat(second.at()).isEqualTo(clock.instant());
        assertThat(probe.tickReads).hasValue(3);
    }

    @Test
    void sample_osWithoutLoadAverage_givesNaN() {
        FakeProbe probe = new FakeProbe();
        probe.load = -1; // OSHI's answer on Windows
        assertThat(new HostTelemetry(probe, new ManualClock(), Duration.ZERO).sample().load1()).isNaN();
    }
}
