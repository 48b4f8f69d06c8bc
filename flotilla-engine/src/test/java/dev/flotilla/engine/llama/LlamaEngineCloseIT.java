package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flotilla.engine.GenerationRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing an engine with one running and one waiting generation (its own model load: closing ends it). */
class LlamaEngineCloseIT {

    private static GenerationRequest request(String id) {
        return new GenerationRequest(id, "Once upon a time", 50, 0, 1.0, 1, List.of());
    }

    @Test
    void close_runningAndWaiting_bothEndWithErrorAndEngineRefusesWork() throws InterruptedException {
        LlamaEngine engine = LlamaEngine.load(LlamaConfig.of(SharedModel.stories260K()).withSlots(1)
                .withCtxPerSlot(128).withEosTokenOverride(1), Clock.systemUTC());
        CountDownLatch gate = new CountDownLatch(1);
        RecordingListener running = new RecordingListener(gate);
        RecordingListener waiting = new RecordingListener();
        engine.submit(request("running"), running);
        assertThat(running.firstToken.await(30, TimeUnit.SECONDS)).isTrue();
        engine.submit(request("waiting"), waiting);
        assertThat(engine.state().waiting()).isEqualTo(1);

        Thread closer = Thread.ofVirtual().start(engine::close);
        await().atMost(Duration.ofSeconds(10)).until(waiting.completed::isDone);
        gate.countDown();
        closer.join(Duration.ofSeconds(30));

        assertThat(closer.isAlive()).isFalse();
        assertThat(waiting.completed).isCompletedExceptionally();
        assertThat(waiting.tokens()).isEmpty();
        assertThat(running.completed).isCompletedExceptionally();
        assertThat(running.tokens()).hasSize(1);
        assertThat(running.finalCallbacks).hasValue(1);
        assertThatThrownBy(running::await).hasRootCauseMessage("the llama.cpp engine for stories260K was closed");
        assertThatThrownBy(() -> engine.submit(request("late"), new RecordingListener()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> engine.countTokens("hello")).isInstanceOf(IllegalStateException.class);
        engine.close();
    }
}
