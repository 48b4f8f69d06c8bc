package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a generation's callbacks. With a gate, the first token holds the slot thread until the test opens
 * the gate: that keeps a generation running for as long as a test needs to look at it.
 */
class RecordingListener implements TokenListener {
    record Completion(FinishReason reason, Usage usage) {
    }

    final CompletableFuture<Completion> completed = new CompletableFuture<>();
    final CountDownLatch firstToken = new CountDownLatch(1);
    final AtomicInteger finalCallbacks = new AtomicInteger();
    private final List<String> tokens = new ArrayList<>();
    private final CountDownLatch gate;

    RecordingListener() {
        this(new CountDownLatch(0));
    }

    RecordingListener(CountDownLatch gate) {
        this.gate = gate;
    }

    @Override
    public void onToken(String text) {
        synchronized (tokens) {
            tokens.add(text);
        }
        firstToken.countDown();
        try {
            assertThat(gate.await(60, TimeUnit.SECONDS)).as("the test opened the gate").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        finalCallbacks.incrementAndGet();
        completed.complete(new Completion(reason, usage));
    }

    @Override
    public void onError(Throwable error) {
        finalCallbacks.incrementAndGet();
        completed.completeExceptionally(error);
    }

    List<String> tokens() {
        synchronized (tokens) {
            return List.copyOf(tokens);
        }
    }

    String text() {
        return String.join("", tokens());
    }

    Completion await() {
        return completed.orTimeout(60, TimeUnit.SECONDS).join();
    }
}
