package dev.flotilla.engine.llama;

import java.nio.file.Path;

/**
 * How to run one GGUF model with llama.cpp. Built with {@link #of(Path)} and the {@code with…} methods;
 * every value is checked here, with a message naming the field and the value.
 *
 * @param modelPath        the GGUF file
 * @param modelName        the name clients address the model by; null or blank gives the file name without
 *                         {@code .gguf}
 * @param slots            generations that run at once (llama.cpp {@code --parallel}); more wait in our queue
 * @param ctxPerSlot       tokens of context for one generation, prompt and output together; llama.cpp gets
 *                         {@code slots * ctxPerSlot}
 * @param threads          llama.cpp compute threads; 1 is the fastest for small models on a shared 2-core host
 * @param eosTokenOverride a token id to treat as end-of-text instead of the one in the file, or null. Models that
 *                         never emit their EOS token (stories260K emits BOS, id 1, between stories) need it
 *                         to end on their own
 * @param nativeTmpDir     where the binding extracts its native library; null gives a fresh per-process
 *                         temporary directory (several JVMs sharing {@code /tmp/libjllama.so} collide)
 */
public record LlamaConfig(Path modelPath, String modelName, int slots, int ctxPerSlot, int threads,
                          Integer eosTokenOverride, Path nativeTmpDir) {

    public static final int DEFAULT_SLOTS = 2;
    /** stories260K was trained on short sequences: past about 512 tokens its text stops making sense. */
    public static final int DEFAULT_CTX_PER_SLOT = 512;
    public static final int DEFAULT_THREADS = 1;
    static final int MAX_SLOTS = 256;
    static final int MIN_CTX_PER_SLOT = 8;
    static final int MAX_TOTAL_CTX = 1 << 20;

    public LlamaConfig {
        if (modelPath == null) {
            throw new IllegalArgumentException("modelPath: null (expected the path of a .gguf file)");
        }
        if (modelName == null || modelName.isBlank()) {
            modelName = defaultName(modelPath);
        }
        if (slots < 1 || slots > MAX_SLOTS) {
            throw new IllegalArgumentException("slots: " + slots + " (expected 1 to " + MAX_SLOTS + ")");
        }
        if (ctxPerSlot < MIN_CTX_PER_SLOT) {
            throw new IllegalArgumentException("ctxPerSlot: " + ctxPerSlot + " (expected >= " + MIN_CTX_PER_SLOT + ")");
        }
        if ((long) slots * ctxPerSlot > MAX_TOTAL_CTX) {
            throw new IllegalArgumentException("ctxPerSlot: " + ctxPerSlot + " with slots " + slots + " gives "
                    + (long) slots * ctxPerSlot + " tokens of context (expected at most " + MAX_TOTAL_CTX + ")");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected >= 1)");
        }
        if (eosTokenOverride != null && eosTokenOverride < 0) {
            throw new IllegalArgumentException("eosTokenOverride: " + eosTokenOverride + " (expected a token id >= 0)");
        }
    }

    /** The defaults: {@value #DEFAULT_SLOTS} slots of {@value #DEFAULT_CTX_PER_SLOT} tokens, 1 thread, no override. */
    public static LlamaConfig of(Path modelPath) {
        return new LlamaConfig(modelPath, null, DEFAULT_SLOTS, DEFAULT_CTX_PER_SLOT, DEFAULT_THREADS, null, null);
    }

    public LlamaConfig withModelName(String name) {
        return new LlamaConfig(modelPath, name, slots, ctxPerSlot, threads, eosTokenOverride, nativeTmpDir);
    }

    public LlamaConfig withSlots(int n) {
        return new LlamaConfig(modelPath, modelName, n, ctxPerSlot, threads, eosTokenOverride, nativeTmpDir);
    }

    public LlamaConfig withCtxPerSlot(int tokens) {
        return new LlamaConfig(modelPath, modelName, slots, tokens, threads, eosTokenOverride, nativeTmpDir);
    }

    public LlamaConfig withThreads(int n) {
        return new LlamaConfig(modelPath, modelName, slots, ctxPerSlot, n, eosTokenOverride, nativeTmpDir);
    }

    public LlamaConfig withEosTokenOverride(Integer tokenId) {
        return new LlamaConfig(modelPath, modelName, slots, ctxPerSlot, threads, tokenId, nativeTmpDir);
    }

    public LlamaConfig withNativeTmpDir(Path dir) {
        return new LlamaConfig(modelPath, modelName, slots, ctxPerSlot, threads, eosTokenOverride, dir);
    }

    private static String defaultName(Path modelPath) {
        Path file = modelPath.getFileName();
        String name = file == null ? modelPath.toString() : file.toString();
        if (name.regionMatches(true, Math.max(0, name.length() - 5), ".gguf", 0, 5) && name.length() > 5) {
            name = name.substring(0, name.length() - 5);
        }
        return name;
    }
}
