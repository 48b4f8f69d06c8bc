package dev.flotilla.engine;

/** The prompt does not fit one slot's context; thrown by {@link Engine#submit} before anything is queued. */
public final class PromptTooLongException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int promptTokens;
    private final int contextTokens;

    public PromptTooLongException(int promptTokens, int contextTokens) {
        super("the prompt has " + promptTokens + " tokens; a slot's context holds " + contextTokens
                + " tokens, prompt and output together");
        this.promptTokens = promptTokens;
        this.contextTokens = contextTokens;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextTokens() {
        return contextTokens;
    }
}
