package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.sim.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CachedGpuTelemetryTest {
    private static final GpuSample ONE = new GpuSample(0, "X", 0.5, 1, 2, 40, 100);

    /** A source counting its reads; it fails while {@code failing} is set. */
    private static final class Counting implements GpuTelemetry {
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean failing;

        @Override
        public List<GpuSample> sample() {
            reads.incrementAndGet();
            if (failing) {
                throw new GpuTelemetryException("source down");
            }
            return List.of(ONE);
        }

        @Override
        public String description() {
            return "counting";
        }
    }

    @Test
    void sample_withinTheInterval_readsTheSourceOnce() {
        Counting source = new Counting();
        ManualClock clock = new ManualClock();
        GpuTelemetry cached = GpuTelemetry.cached(source, clock, Duration.ofMillis(500));
        assertThat(cached.sample()).containsExactly(ONE);
        clock.advance(Duration.ofMillis(499));
        assertThat(cached.sample()).containsExactly(ONE);
        assertThat(source.reads).hasValue(1);
        clock.advance(Duration.ofMillis(1));
        cached.sample();
        assertThat(source.reads).hasValue(2);
        assertThat(cached.description()).isEqualTo("counting");
    }

    @Test
    void sample_failingSource_failureIsReusedForTheIntervalThenRetried() {
        Counting source = new Counting();
        source.failing = true;
        ManualClock clock = new ManualClock();
        GpuTelemetry cached = GpuTelemetry.cached(source, clock, Duration.ofMillis(500));
        assertThatThrownBy(cached::sample).hasMessage("source down");
        assertThatThrownBy(cached::sample).hasMessage("source down");
        assertThat(source.reads).hasValue(1);
        source.failing = false;
        clock.advance(Duration.ofMillis(500));
        assertThat(cached.sample()).containsExactly(ONE);
    }

    @Test
    void nodeTelemetry_failingGpuSource_reportsTheErrorAndNoGpus() {
        Counting source = new Counting();
        source.failing = true;
        NodeTelemetry node = new NodeTelemetry(HostTelemetry.oshi(new ManualClock()), source);
        TelemetrySample t = node.sample();
        assertThat(t.gpus()).isEmpty();
        assertThat(t.gpuError()).isEqualTo("source down");
        assertThat(t.gpuSource()).isEqualTo("counting");
        source.failing = false;
        assertThat(node.sample().gpuError()).isNull();
    }

    @Test
    void detect_simulatedEngine_picksItsModelledGpu() {
        SimulatedEngine engine = SimulatedEngine.create("m", AcceleratorProfile.L4, new VirtualScheduler());
        GpuTelemetry gpu = GpuTelemetry.detect(engine, new ManualClock());
        assertThat(gpu).isInstanceOf(SimulatedGpuTelemetry.class);
        assertThat(gpu.sample()).extracting(GpuSample::name).containsExactly("NVIDIA L4");
    }

    @Test
    void fromSetting_values_pickTheSourceOrNameTheBadValue() {
        SimulatedEngine engine = SimulatedEngine.create("m", AcceleratorProfile.L4, new VirtualScheduler());
        ManualClock clock = new ManualClock();
        assertThat(GpuTelemetry.fromSetting("none", engine, clock).sample()).isEmpty();
        assertThat(GpuTelemetry.fromSetting("none", engine, clock).description()).startsWith("none");
        assertThat(GpuTelemetry.fromSetting("simulated", engine, clock)).isInstanceOf(SimulatedGpuTelemetry.class);
        assertThat(GpuTelemetry.fromSetting(null, engine, clock)).isInstanceOf(SimulatedGpuTelemetry.class);
        assertThat(GpuTelemetry.fromSetting("http://127.0.0.1:9400/metrics", engine, clock).description())
                .isEqualTo("DCGM exporter (http://127.0.0.1:9400/metrics)");
        assertThatThrownBy(() -> GpuTelemetry.fromSetting("rocm-smi", engine, clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'rocm-smi'")
                .hasMessageContaining("DCGM exporter URL");
    }
}
