package dev.flotilla.protocol;

/** The OpenAI inference endpoints; the label value is used in metrics and logs. */
public enum Endpoint {
    CHAT("/v1/chat/completions", "chat.completion"),
    COMPLETIONS("/v1/completions", "text_completion");

    private final String path;
    private final String object;

    Endpoint(String path, String object) {
        this.path = path;
        this.object = object;
    }

    public String path() {
        return path;
    }

    /** The {@code object} field of a full response. */
    public String object() {
        return object;
    }

    /** The {@code object} field of a streamed chunk. */
    public String chunkObject() {
        return this == CHAT ? "chat.completion.chunk" : "text_completion";
    }
}
