package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.protocol.FinishReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedEngineBatchingTest {

    /** 6 tokens. */
    private static final String PROMPT = "Tell me a story about cats";
    private static final long MS = 1_000_000L;

    private final VirtualScheduler clock = new VirtualScheduler();

    /** decode 5 + 0.25*n ms, prefill 10 + 0.5*t ms. */
    private static AcceleratorProfile profile(int maxBatch, int kvTokens) {
        return new AcceleratorProfile("test", 80, 1000, 100, 5, 0.25, 10, 0.5, maxBatch, kvTokens,
                Math.min(4096, kvTokens));
    }

    private SimulatedEngine engine(AcceleratorProfile profile) {
        return SimulatedEngine.create("sim-model", profile, clock);
    }

    private static GenerationRequest request(String id, int maxTokens) {
        return new GenerationRequest(id, PROMPT, maxTokens, 0.7, 1.0, id.hashCode(), List.of());
    }

    private RecordingListener listener() {
        return new RecordingListener(clock::nanoTime);
    }

    @ParameterizedTest(name = "batch of {0}: first token at {1} ns, then every {2} ns")
    @CsvSource({
        "1,  13000000, 5250000", // 10 + 0.5*6*1 ms; 5 + 0.25*1 ms
        "4,  22000000, 6000000", // 10 + 0.5*6*4 ms; 5 + 0.25*4 ms
        "16, 58000000, 9000000", // 10 + 0.5*6*16 ms; 5 + 0.25*16 ms
    })
    void submit_batchAtTimeZero_tokensFollowThePerformanceModelExactly(int n, long firstTokenNanos,
                                                                         long interTokenNanos) {
        SimulatedEngine engine = engine(profile(16, 100_000));
        List<RecordingListener> listeners = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordingListener listener = listener();
            listeners.add(listener);
            // 5 tokens end every text before its first sentence can end (a sentence has at least 6).
            engine.submit(request("r" + i, 5), listener);
        }

        clock.runUntilIdle();

        List<Long> expected = IntStream.range(0, 5).mapToObj(k -> firstTokenNanos + k * interTokenNanos).toList();
        for (RecordingListener listener : listeners) {
            assertThat(listener.tokenTimes).isEqualTo(expected);
            assertThat(listener.finish).isEqualTo(FinishReason.LENGTH);
            assertThat(listener.usage.promptTokens()).isEqualTo(6);
            assertThat(listener.usage.completionTokens()).isEqualTo(5);
        }
        EngineState state = engine.state();
        assertThat(state.running()).isZero();
        assertThat(state.kvCacheUsage()).isZero();
        assertThat(state.tokensPerSecond()).isEqualTo(n * 5 / 5.0); // all tokens within the 5 s window
    }

    @Test
    void state_afterTheWindowPasses_reportsNoThroughput() {
        SimulatedEngine engine = engine(profile(16, 100_000));
        engine.submit(request("a", 5), listener());
        clock.runUntilIdle();

        clock.advanceBy(Duration.ofSeconds(6));

        assertThat(engine.state().tokensPerSecond()).isZero();
    }

    @Test
    void submit_moreThanMaxBatch_lastWaitsUntilASlotFrees() {
        SimulatedEngine engine = engine(profile(2, 100_000));
        RecordingListener a = listener();
        RecordingListener b = listener();
        RecordingListener c = listener();
        engine.submit(request("a", 3), a);
        engine.submit(request("b", 3), b);
        engine.submit(request("c", 3), c);

        clock.advanceTo(0);
        assertThat(engine.state()).extracting(EngineState::running, EngineState::waiting).containsExactly(2, 1);

        clock.runUntilIdle();
        // a and b: prefill of 2 (10 + 0.5*12 = 16 ms), then two decodes of 2 (5.5 ms each) end them at 27 ms.
        assertThat(a.completedAt).isEqualTo(27 * MS);
        assertThat(b.completedAt).isEqualTo(27 * MS);
        // c is admitted at 27 ms: its own prefill (10 + 0.5*6 = 13 ms), then decodes of 1 (5.25 ms).
        assertThat(c.tokenTimes).containsExactly(40 * MS, 45_250_000L, 50_500_000L);
    }

    @Test
    void submit_kvCacheFull_headOfQueueBlocksLaterRequestsThatWouldFit() {
        // Each request reserves prompt + max tokens: 6 + 54 = 60 of 100, then 6 + 44 = 50, then 6 + 4 = 10.
        SimulatedEngine engine = engine(profile(16, 100));
        RecordingListener big = listener();
        RecordingListener blocked = listener();
        RecordingListener small = listener();
        engine.submit(request("big", 54), big);
        engine.submit(request("blocked", 44), blocked);
        engine.submit(request("small", 4), small);

        clock.advanceTo(0);

        EngineState state = engine.state();
        assertThat(state.running()).isEqualTo(1);
        assertThat(state.waiting()).isEqualTo(2);
        assertThat(state.kvCacheUsage()).isEqualTo(0.6);

        clock.runUntilIdle();
        assertThat(blocked.tokenTimes.getFirst()).isGreaterThanOrEqualTo(big.completedAt);
        assertThat(small.tokenTimes.getFirst()).isGreaterThanOrEqualTo(big.completedAt);
        assertThat(List.of(big, blocked, small)).allSatisfy(l -> assertThat(l.done()).isTrue());
    }

    @Test
    void cancel_runningGeneration_freesItsSlotAndStopsCallbacks() {
        SimulatedEngine engine = engine(profile(16, 100_000));
        RecordingListener listener = listener();
        Generation generation = engine.submit(request("a", 50), listener);
        clock.advanceTo(20 * MS); // prefill ends at 13 ms, the next decode at 18.25 ms
        assertThat(listener.tokens).hasSize(2);
        assertThat(engine.state().kvCacheUsage()).isEqualTo(56 / 100_000.0);

        generation.cancel();
        generation.cancel();

        assertThat(engine.state()).extracting(EngineState::running, EngineState::kvCacheUsage).containsExactly(0, 0.0);
        clock.runUntilIdle();
        assertThat(listener.events).containsExactly("token", "token");
    }

    @Test
    void cancel_waitingGeneration_leavesTheQueueWithoutCallbacks() {
        SimulatedEngine engine = engine(profile(1, 100_000));
        engine.submit(request("a", 3), listener());
        RecordingListener second = listener();
        Generation waiting = engine.submit(request("b", 3), second);
        clock.advanceTo(0);
        assertThat(engine.state().waiting()).isEqualTo(1);

        waiting.cancel();

        assertThat(engine.state().waiting()).isZero();
        clock.runUntilIdle();
        assertThat(second.events).isEmpty();
    }

    @Test
    void submit_promptAtMaxContext_throwsAndQueuesNothing() {
        SimulatedEngine engine = engine(profile(16, 6)); // context 6: a 6-token prompt leaves no room
        RecordingListener listener = listener();

        assertThatThrownBy(() -> engine.submit(request("a", 1), listener))
                .isInstanceOf(PromptTooLongException.class)
                .satisfies(e -> {
                    assertThat(((PromptTooLongException) e).promptTokens()).isEqualTo(6);
                    assertThat(((PromptTooLongException) e).contextTokens()).isEqualTo(6);
                });
        assertThat(engine.state()).extracting(EngineState::running, EngineState::waiting).containsExactly(0, 0);
        assertThat(clock.nextEventNanos()).isEmpty();
        assertThat(listener.events).isEmpty();
    }

    @Test
    void submit_noMaxTokens_reservesTheRestOfTheContextAndEndsWithTheText() {
        // Context 1000 is more than six of the longest sentences (21 tokens each) need.
        SimulatedEngine engine = engine(profile(16, 1000));
        RecordingListener listener = listener();
        engine.submit(request("a", 0), listener);
        clock.advanceTo(0);
        assertThat(engine.state().kvCacheUsage()).isEqualTo(1.0);

        clock.runUntilIdle();

        assertThat(listener.finish).isEqualTo(FinishReason.STOP);
        assertThat(listener.text()).endsWith(".").doesNotContain("  ");
    }

    @Test
    void close_withRunningAndWaitingGenerations_endsEachWithAnError() {
        SimulatedEngine engine = engine(profile(1, 100_000));
        RecordingListener first = listener();
        RecordingListener second = listener();
        engine.submit(request("a", 10), first);
        engine.submit(request("b", 10), second);
        clock.advanceTo(0);

        engine.close();
        clock.runUntilIdle();

        assertThat(first.events).containsExactly("error");
        assertThat(second.events).containsExactly("error");
        assertThat(first.error).isInstanceOf(IllegalStateException.class).hasMessage("engine closed");
        assertThatThrownBy(() -> engine.submit(request("c", 1), listener()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void info_reportsTheProfile() {
        SimulatedEngine engine = engine(AcceleratorProfile.H100);

        assertThat(engine.info().engine()).isEqualTo("simulated");
        assertThat(engine.info().accelerator()).isEqualTo("H100");
        assertThat(engine.info().bandwidthGbs()).isEqualTo(3350);
        assertThat(engine.info().slots()).isEqualTo(AcceleratorProfile.H100.maxBatchSize());
        assertThat(engine.info().contextPerSlot()).isEqualTo(4096);
        assertThat(engine.model()).isEqualTo("sim-model");
    }
}
