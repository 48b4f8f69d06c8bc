package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.protocol.FinishReason;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SimulatedEngineRealTimeTest {

    @Test
    void realTime_zeroProfile_completesGenerationsSubmittedFromAnotherThread() {
        try (SimulatedEngine engine = SimulatedEngine.realTime("sim-model", AcceleratorProfile.ZERO)) {
            RecordingListener first = new RecordingListener(System::nanoTime);
            RecordingListener second = new RecordingListener(System::nanoTime);
            engine.submit(new GenerationRequest("a", "Hello there", 20, 0, 1, 1, List.of()), first);
            engine.submit(new GenerationRequest("b", "Hello there", 20, 0, 1, 2, List.of()), second);

            await().atMost(Duration.ofSeconds(10)).until(() -> first.done() && second.done());

            assertThat(first.error).isNull();
            assertThat(first.finish).isIn(FinishReason.STOP, FinishReason.LENGTH);
            assertThat(first.usage.completionTokens()).isEqualTo(first.tokens.size()).isPositive();
            assertThat(second.text()).isEqualTo(first.text()); // temperature 0: the prompt decides
            assertThat(engine.state().running()).isZero();
        }
    }

    @Test
    void submitAndCancel_fromManyThreads_everyGenerationEndsOnceAndTheEngineDrains() throws Exception {
        AcceleratorProfile small = new AcceleratorProfile("small", 1, 1, 1, 0.01, 0.001, 0.01, 0.001, 8, 4096, 512);
        try (SimulatedEngine engine = SimulatedEngine.realTime("sim-model", small);
             var threads = Executors.newFixedThreadPool(4)) {
            List<RecordingListener> finished = new CopyOnWriteArrayList<>();
            // Each cancelled listener with the number of callbacks it had when cancel() returned.
            List<Map.Entry<RecordingListener, Integer>> cancelled = new CopyOnWriteArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                threads.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        RecordingListener listener = new RecordingListener(System::nanoTime);
                        var generation = engine.submit(new GenerationRequest(thread + "-" + i, "Tell me more",
                                30, 0.5, 1, i, List.of()), listener);
                        if (i % 3 == 0) {
                            generation.cancel();
                            cancelled.add(Map.entry(listener, listener.events.size()));
                        } else {
                            finished.add(listener);
                        }
                        engine.state();
                    }
                });
            }
            threads.shutdown();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            await().atMost(Duration.ofSeconds(20)).until(() -> finished.stream().allMatch(RecordingListener::done));

            assertThat(finished).hasSize(132).allSatisfy(l -> {
                assertThat(l.error).isNull();
                assertThat(l.events).last().isEqualTo("complete");
                assertThat(l.events).filteredOn("complete"::equals).hasSize(1);
            });
            assertThat(cancelled).hasSize(68)
                    .allSatisfy(c -> assertThat(c.getKey().events).hasSize(c.getValue()));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.state())
                    .extracting(EngineState::running, EngineState::waiting, EngineState::kvCacheUsage)
                    .containsExactly(0, 0, 0.0));
        }
    }

    @Test
    void schedule_eventsOutOfOrder_runInTimeOrderOnOneThread() {
        try (RealTimeScheduler scheduler = new RealTimeScheduler("test-sim")) {
            List<String> ran = new CopyOnWriteArrayList<>();
            long base = scheduler.nanoTime() + Duration.ofMillis(50).toNanos();
            scheduler.schedule(base + 2_000_000, () -> ran.add("c:" + Thread.currentThread().getName()));
            scheduler.schedule(base, () -> ran.add("a:" + Thread.currentThread().getName()));
            scheduler.schedule(base + 1_000_000, () -> ran.add("b:" + Thread.currentThread().getName()));

            await().atMost(Duration.ofSeconds(10)).until(() -> ran.size() == 3);

            assertThat(ran).containsExactly("a:test-sim", "b:test-sim", "c:test-sim");
        }
    }
}
