package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.engine.GenerationRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The busy time the modelled GPU telemetry reads: exactly the scheduler time spent in iterations. */
class SimulatedEngineActivityTest {
    /** 6 tokens. */
    private static final String PROMPT = "Tell me a story about cats";
    private static final long MS = 1_000_000L;

    private final VirtualScheduler clock = new VirtualScheduler();
    /** decode 5 + 0.25*n ms, prefill 10 + 0.5*t ms. */
    private final SimulatedEngine engine = SimulatedEngine.create("m",
            new AcceleratorProfile("test", 80, 1000, 100, 5, 0.25, 10, 0.5, 8, 100_000, 4096), clock);

    @Test
    void activity_beforeAnyWork_isIdle() {
        clock.advanceTo(100 * MS);
        SimulatedEngine.Activity a = engine.activity();
        assertThat(a.atNanos()).isEqualTo(100 * MS);
        assertThat(a.busyNanos()).isZero();
        assertThat(a.kvCacheUsage()).isZero();
    }

    @Test
    void activity_oneGeneration_busyIsPrefillPlusDecodesAndStopsWhenItEnds() {
        // 5 tokens end every text before its first sentence can: a prefill (first token) and 4 decodes
        engine.submit(new GenerationRequest("g", PROMPT, 5, 0.7, 1, 1, List.of()), new RecordingListener(clock::nanoTime));
        clock.advanceTo(11 * MS); // inside the 13 ms prefill
        SimulatedEngine.Activity during = engine.activity();
        assertThat(during.busyNanos()).isEqualTo(11 * MS);
        assertThat(during.kvCacheUsage()).isEqualTo(11 / 100_000.0); // 6 prompt + 5 output reserved
        clock.advanceTo(1000 * MS);
        SimulatedEngine.Activity after = engine.activity();
        assertThat(after.busyNanos()).isEqualTo(13 * MS + 4 * 5_250_000L);
        assertThat(after.kvCacheUsage()).isZero();
    }
}
