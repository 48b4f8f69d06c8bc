package dev.flotilla.engine;

import dev.flotilla.protocol.ChatMessage;
import java.util.List;

/**
 * An inference engine on one node: it takes generations, streams their tokens, cancels them and
 * reports its load. Implementations: llama.cpp on a GGUF file, and the simulated GPU.
 * Callbacks of a {@link TokenListener} run on engine threads; they must not block.
 */
public interface Engine extends AutoCloseable {

    /** The model name clients use to address this engine (OpenAI {@code model}). */
    String model();

    /** Static facts about the engine and its accelerator. */
    EngineInfo info();

    /** Renders chat messages into the prompt this engine's model expects (its chat template, or a plain one). */
    String chatPrompt(List<ChatMessage> messages);

    /** Counts tokens as this engine's tokenizer does. */
    int countTokens(String text);

    /**
     * Queues a generation. Returns at once; tokens and the outcome go to the listener.
     *
     * @throws PromptTooLongException if the prompt cannot fit a slot's context; nothing was queued
     */
    Generation submit(GenerationRequest request, TokenListener listener);

    /** The current load: running and waiting generations, KV-cache use, recent tokens/s. */
    EngineState state();

    /** Prefix-cache figures, or empty for an engine without a prefix cache (or that does not report one). */
    default java.util.Optional<PrefixCacheStats> prefixCache() {
        return java.util.Optional.empty();
    }

    /** Stops the engine; queued and running generations end with an error. */
    @Override
    void close();
}
