package dev.flotilla.engine;

import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.Usage;

/** Receives a generation's tokens in order, then exactly one of complete or error (none after cancel). */
public interface TokenListener {
    /** One generated token's text (may be empty when a token completes no character). */
    void onToken(String text);

    void onComplete(FinishReason reason, Usage usage);

    void onError(Throwable error);
}
