package dev.flotilla.protocol;

/** Token counts of one request, as OpenAI reports them. */
public record Usage(int promptTokens, int completionTokens) {
    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
