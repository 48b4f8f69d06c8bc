package dev.flotilla.engine;

/** A handle on a queued or running generation. */
public interface Generation {
    String id();

    /**
     * Stops the generation and frees its slot. Idempotent; safe from any thread. The listener's
     * {@link TokenListener#onComplete} is not called after a cancel.
     */
    void cancel();
}
