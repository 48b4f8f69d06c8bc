package dev.flotilla.engine.llama;

import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.Usage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One submitted generation: its request, its token budget and its listener. Every listener call holds one
 * lock and checks the cancel flag under it, so once {@link #cancel()} returns no callback is running or will
 * start.
 */
final class LlamaGeneration implements Generation {
    private static final Logger log = LoggerFactory.getLogger(LlamaGeneration.class);

    final GenerationRequest request;
    /** Prompt tokens as reported in usage (BOS not counted). */
    final int promptTokens;
    /** Prompt tokens the prompt occupies in the slot's context (BOS counted). */
    final int contextTokens;
    /** The n_predict given to llama.cpp: maxTokens capped by the room left in the slot's context. */
    final int tokenBudget;

    private final TokenListener listener;
    private final Consumer<LlamaGeneration> onCancel;
    private final ReentrantLock callbacks = new ReentrantLock();
    private volatile boolean cancelled;
    private boolean finished;
    private volatile int generated;

    LlamaGeneration(GenerationRequest request, TokenListener listener, int promptTokens, int contextTokens,
                    int tokenBudget, Consumer<LlamaGeneration> onCancel) {
        this.request = request;
        this.listener = listener;
        this.promptTokens = promptTokens;
        this.contextTokens = contextTokens;
        this.tokenBudget = tokenBudget;
        this.onCancel = onCancel;
    }

    @Override
    public String id() {
        return request.id();
    }

    /**
     * Sets the flag the slot thread checks before each callback, then waits for a callback in progress (if
     * any) to return: after this method returns, no callback runs or starts. Called from inside a callback,
     * it returns at once (the lock is reentrant) and that callback is the last.
     */
    @Override
    public void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        callbacks.lock();
        callbacks.unlock();
        onCancel.accept(this);
    }

    boolean cancelled() {
        return cancelled;
    }

    int generated() {
        return generated;
    }

    /** Counts one generated token and passes its text on; false when the stream should stop (cancel, listener failure). */
    boolean token(String text) {
        callbacks.lock();
        try {
            if (cancelled || finished) {
                return false;
            }
            generated++;
            try {
                listener.onToken(text);
                return true;
            } catch (RuntimeException e) {
                log.warn("generation {}: the token listener failed; stopping the generation", id(), e);
                finishWith(() -> listener.onError(e));
                return false;
            }
        } finally {
            callbacks.unlock();
        }
    }

    void complete(FinishReason reason) {
        Usage usage = new Usage(promptTokens, generated);
        callbacks.lock();
        try {
            finishWith(() -> listener.onComplete(reason, usage));
        } finally {
            callbacks.unlock();
        }
    }

    void fail(Throwable error) {
        callbacks.lock();
        try {
            finishWith(() -> listener.onError(error));
        } finally {
            callbacks.unlock();
        }
    }

    private void finishWith(Runnable callback) {
        if (cancelled || finished) {
            return;
        }
        finished = true;
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.warn("generation {}: the token listener failed on the final callback", id(), e);
        }
    }
}
