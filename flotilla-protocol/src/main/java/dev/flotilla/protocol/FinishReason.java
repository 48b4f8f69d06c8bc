package dev.flotilla.protocol;

/** Why generation stopped, with its OpenAI wire value. */
public enum FinishReason {
    /** The model ended the text or a stop sequence was reached. */
    STOP("stop"),
    /** {@code max_tokens} or the context limit was reached. */
    LENGTH("length");

    private final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
