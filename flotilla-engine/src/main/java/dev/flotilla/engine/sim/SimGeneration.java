package dev.flotilla.engine.sim;

import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One generation in a {@link SimulatedEngine}: its text source and, guarded by its own monitor,
 * the listener. Taking that monitor for every callback and for {@link #cancel} is what makes "no
 * callback after cancel returns" hold. Lock order: this monitor, then the engine's.
 */
final class SimGeneration implements Generation {

    private static final Logger log = LoggerFactory.getLogger(SimGeneration.class);

    /** What one iteration produced for this generation: released text, and the finish if it ended. */
    record Step(String text, FinishReason finish, int completionTokens) {
    }

    private final SimulatedEngine engine;
    private final GenerationRequest request;
    private final TokenListener listener;
    private final int promptTokens;
    private final int outputLimit;
    /** The prompt's full KV blocks as the prefix cache names them (empty when the engine has no cache). */
    private final long[] blocks;
    // Set at admission by the engine, under its lock.
    private int cachedTokens;
    // Touched only by the engine's iterations, which run one at a time.
    private final SimText text;
    private final StopFilter stopFilter;
    private int generated;
    // Guarded by this.
    private boolean ended;

    SimGeneration(SimulatedEngine engine, GenerationRequest request, TokenListener listener, int promptTokens,
                  int maxContext, long[] blocks) {
        this.engine = engine;
        this.blocks = blocks;
        this.request = request;
        this.listener = listener;
        this.promptTokens = promptTokens;
        int contextLeft = maxContext - promptTokens;
        this.outputLimit = request.maxTokens() == 0 ? contextLeft : Math.min(request.maxTokens(), contextLeft);
        this.text = SimText.forRequest(request.prompt(), request.temperature(), request.seed());
        this.stopFilter = new StopFilter(request.stop());
    }

    @Override
    public String id() {
        return request.id();
    }

    int promptTokens() {
        return promptTokens;
    }

    long[] blocks() {
        return blocks;
    }

    /** Prompt tokens to compute in the prefill: those the prefix cache did not have. */
    int uncachedPromptTokens() {
        return promptTokens - cachedTokens;
    }

    void cachedTokens(int tokens) {
        this.cachedTokens = tokens;
    }

    /** KV-cache tokens reserved while running: the prompt plus every token it may still generate. */
    int kvNeed() {
        return promptTokens + outputLimit;
    }

    /** Generates the next token; called by the engine's iteration, never concurrently. */
    Step nextToken() {
        String piece = text.next();
        generated++;
        StopFilter.Released released = stopFilter.accept(piece);
        if (released.stopped()) {
            return new Step(released.text(), FinishReason.STOP, generated);
        }
        if (text.ended()) {
            return new Step(released.text() + stopFilter.flush(), FinishReason.STOP, generated);
        }
        if (generated >= outputLimit) {
            return new Step(released.text() + stopFilter.flush(), FinishReason.LENGTH, generated);
        }
        return new Step(released.text(), null, generated);
    }

    /** Hands a step to the listener unless the generation was cancelled or has ended. */
    synchronized void deliver(Step step) {
        if (ended) {
            return;
        }
        try {
            listener.onToken(step.text());
            if (step.finish() != null) {
                ended = true;
                listener.onComplete(step.finish(), new Usage(promptTokens, step.completionTokens()));
            }
        } catch (RuntimeException e) {
            // A broken listener must not break the batch; its generation stops here.
            log.warn("listener of generation {} failed; cancelling it", request.id(), e);
            cancel();
        }
    }

    synchronized void fail(Throwable error) {
        if (ended) {
            return;
        }
        ended = true;
        try {
            listener.onError(error);
        } catch (RuntimeException e) {
            log.warn("listener of generation {} failed in onError", request.id(), e);
        }
    }

    @Override
    public void cancel() {
        synchronized (this) {
            ended = true;
        }
        engine.remove(this);
    }
}
