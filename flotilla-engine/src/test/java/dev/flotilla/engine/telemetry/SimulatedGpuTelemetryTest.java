package dev.flotilla.engine.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.sim.VirtualScheduler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SimulatedGpuTelemetryTest {
    private static final long S = 1_000_000_000L;
    private static final GpuThermals CARD = new GpuThermals("Test GPU", 50, 300, 30, 70,
            Duration.ofSeconds(30), Duration.ofSeconds(2));
    private static final long TOTAL = 80_000_000_000L;
    private static final long WEIGHTS = 13_480_000_000L;
    private static final double KV = 70_000_000_000.0;

    /** An engine's activity the test sets by hand: time, busy time, KV use. */
    private final AtomicReference<SimulatedEngine.Activity> activity =
            new AtomicReference<>(new SimulatedEngine.Activity(0, 0, 0));

    private SimulatedGpuTelemetry telemetry(Duration minInterval) {
        return new SimulatedGpuTelemetry(activity::get, CARD, TOTAL, WEIGHTS, KV, minInterval);
    }

    private void at(long nanos, long busyNanos, double kv) {
        activity.set(new SimulatedEngine.Activity(nanos, busyNanos, kv));
    }

    @Test
    void sample_fullLoadForOneTimeConstant_temperatureCoversOneMinusOneOverEOfTheWay() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ZERO);
        at(30 * S, 30 * S, 0);
        GpuSample s = gpu.sample().getFirst();
        assertThat(s.utilisation()).isEqualTo(1.0);
        assertThat(s.temperatureC()).isCloseTo(30 + (1 - Math.exp(-1)) * 40, within(1e-9));
        // 15 power time constants: within e^-15 of the target
        assertThat(s.powerW()).isCloseTo(300 - 250 * Math.exp(-15), within(1e-9));
        assertThat(s.name()).isEqualTo("Test GPU");
        assertThat(s.index()).isZero();
    }

    @Test
    void sample_stepsOfConstantLoad_composeLikeOneLongStep() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ZERO);
        for (int i = 1; i <= 4; i++) {
            at(i * S, i * S, 0);
            gpu.sample();
        }
        GpuSample s = gpu.sample().getFirst();
        // four 1 s steps at full load == one 4 s step: the lag is exact for piecewise-constant load
        assertThat(s.powerW()).isCloseTo(300 - 250 * Math.exp(-2), within(1e-9));
        assertThat(s.temperatureC()).isCloseTo(70 - 40 * Math.exp(-4.0 / 30), within(1e-9));
    }

    @Test
    void sample_halfBusyThenIdle_utilisationFollowsAndPowerFallsBack() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ZERO);
        at(2 * S, S, 0);
        GpuSample half = gpu.sample().getFirst();
        assertThat(half.utilisation()).isEqualTo(0.5);
        assertThat(half.powerW()).isCloseTo(175 - 125 * Math.exp(-1), within(1e-9));
        at(4 * S, S, 0);
        GpuSample idle = gpu.sample().getFirst();
        assertThat(idle.utilisation()).isZero();
        assertThat(idle.powerW()).isCloseTo(50 + (half.powerW() - 50) * Math.exp(-1), within(1e-9));
        assertThat(idle.temperatureC()).isLessThan(half.temperatureC());
    }

    @Test
    void sample_idleFromTheStart_staysAtIdleFigures() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ZERO);
        at(100 * S, 0, 0);
        GpuSample s = gpu.sample().getFirst();
        assertThat(s.utilisation()).isZero();
        assertThat(s.temperatureC()).isEqualTo(30.0);
        assertThat(s.powerW()).isEqualTo(50.0);
    }

    @Test
    void sample_memory_isWeightsPlusKvInUseCappedAtTheCard() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ZERO);
        at(S, 0, 0);
        assertThat(gpu.sample().getFirst().memoryUsedBytes()).isEqualTo(WEIGHTS);
        at(2 * S, 0, 0.5);
        GpuSample half = gpu.sample().getFirst();
        assertThat(half.memoryUsedBytes()).isEqualTo(WEIGHTS + 35_000_000_000L);
        assertThat(half.memoryTotalBytes()).isEqualTo(TOTAL);
        at(3 * S, 0, 1.0);
        assertThat(gpu.sample().getFirst().memoryUsedBytes()).isEqualTo(TOTAL); // 83.48 GB would not fit
    }

    @Test
    void sample_withinTheMinimumInterval_returnsThePreviousReading() {
        SimulatedGpuTelemetry gpu = telemetry(Duration.ofMillis(100));
        at(S, S, 0);
        GpuSample first = gpu.sample().getFirst();
        at(S + 50_000_000L, S, 0.9); // 50 ms later, idle: too short an interval to measure
        assertThat(gpu.sample().getFirst()).isSameAs(first);
        at(S + 100_000_000L, S, 0.9);
        GpuSample next = gpu.sample().getFirst();
        assertThat(next.utilisation()).isZero(); // over the 100 ms since the first reading
        assertThat(next.memoryUsedBytes()).isGreaterThan(first.memoryUsedBytes());
    }

    @Test
    void of_builtInProfile_usesItsCardAndTheReferenceModelsWeights() {
        VirtualScheduler scheduler = new VirtualScheduler();
        SimulatedEngine engine = SimulatedEngine.create("m", AcceleratorProfile.H100, scheduler);
        GpuSample idle = SimulatedGpuTelemetry.of(engine).sample().getFirst();
        assertThat(idle.name()).isEqualTo("NVIDIA H100 80GB HBM3");
        assertThat(idle.memoryTotalBytes()).isEqualTo(80_000_000_000L);
        assertThat(idle.memoryUsedBytes()).isEqualTo(AcceleratorProfile.REFERENCE_WEIGHT_BYTES);
        assertThat(idle.temperatureC()).isEqualTo(GpuThermals.H100.idleCelsius());
        assertThat(idle.powerW()).isEqualTo(GpuThermals.H100.idleWatts());
    }

    @Test
    void of_virtualEngineRunningAGeneration_isBusyWhileItRunsAndIdleAfter() {
        // decode 200 ms per token, prefill 50 ms: the first second is all work (no sentence is 5 tokens),
        // and a generation of at most 20 tokens is over after 3.85 s
        AcceleratorProfile p = new AcceleratorProfile("test", 80, 1000, 100, 200, 0, 50, 0, 8, 100_000, 4096);
        VirtualScheduler scheduler = new VirtualScheduler();
        SimulatedEngine engine = SimulatedEngine.create("m", p, scheduler);
        SimulatedGpuTelemetry gpu = SimulatedGpuTelemetry.of(engine, GpuThermals.forProfile(p), Duration.ZERO);
        engine.submit(new GenerationRequest("g", "hello", 20, 0, 1, 0, java.util.List.of()), new Quiet());
        scheduler.advanceTo(S);
        GpuSample busy = gpu.sample().getFirst();
        assertThat(busy.utilisation()).isEqualTo(1.0);
        assertThat(busy.memoryUsedBytes()).isGreaterThan(AcceleratorProfile.REFERENCE_WEIGHT_BYTES);
        assertThat(busy.powerW()).isGreaterThan(GpuThermals.forProfile(p).idleWatts());
        scheduler.advanceTo(10 * S);
        GpuSample after = gpu.sample().getFirst();
        long busyAfterFirst = engine.activity().busyNanos() - S;
        assertThat(after.utilisation()).isCloseTo((double) busyAfterFirst / (9 * S), within(1e-12));
        assertThat(after.utilisation()).isBetween(0.0, 2.85 / 9);
        assertThat(after.memoryUsedBytes()).isEqualTo(AcceleratorProfile.REFERENCE_WEIGHT_BYTES);
    }

    @Test
    void of_zeroProfile_reportsNoTimeAndUnknownHardware() {
        VirtualScheduler scheduler = new VirtualScheduler();
        SimulatedEngine engine = SimulatedEngine.create("m", AcceleratorProfile.ZERO, scheduler);
        SimulatedGpuTelemetry gpu = SimulatedGpuTelemetry.of(engine, GpuThermals.forProfile(AcceleratorProfile.ZERO),
                Duration.ZERO);
        engine.submit(new GenerationRequest("g", "hello", 20, 0, 1, 0, java.util.List.of()), new Quiet());
        scheduler.advanceTo(S);
        GpuSample s = gpu.sample().getFirst();
        assertThat(s.utilisation()).isZero();
        assertThat(s.memoryUsedBytes()).isEqualTo(GpuSample.UNKNOWN_BYTES);
        assertThat(s.memoryTotalBytes()).isEqualTo(GpuSample.UNKNOWN_BYTES);
        assertThat(s.temperatureC()).isNaN();
        assertThat(s.powerW()).isNaN();
    }

    private static final class Quiet implements TokenListener {
        @Override
        public void onToken(String text) {
        }

        @Override
        public void onComplete(dev.flotilla.protocol.FinishReason reason, dev.flotilla.protocol.Usage usage) {
        }

        @Override
        public void onError(Throwable error) {
        }
    }
}
