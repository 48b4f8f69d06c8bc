package dev.flotilla.protocol;

/**
 * One entry of {@code /v1/models}.
 *
 * @param maxModelLen the tokens one request may hold, prompt and output together (vLLM's
 *                    {@code max_model_len}), or null when the server does not say; written only when
 *                    known, so that a list without it stays OpenAI's shape
 */
public record ModelCard(String id, long created, String ownedBy, Integer maxModelLen) {

    public ModelCard {
        if (maxModelLen != null && maxModelLen <= 0) {
            throw new IllegalArgumentException("maxModelLen: " + maxModelLen + " (expected > 0 or null)");
        }
    }

    /** A card whose context length is not stated. */
    public ModelCard(String id, long created, String ownedBy) {
        this(id, created, ownedBy, null);
    }
}
