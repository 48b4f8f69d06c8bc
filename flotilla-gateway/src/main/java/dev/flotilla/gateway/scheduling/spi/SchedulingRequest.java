package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One request as the scheduling plugins see it: the parsed request, the session key, the time of
 * the decision, and figures derived from the prompt once per request (its text, an estimate of its
 * tokens, the hashes of its blocks) so that no plugin repeats the work per candidate. Not thread-safe:
 * one request is scheduled on one thread at a time.
 *
 * <p>The gateway does not tokenize, so token counts are estimates from the text
 * ({@value #CHARS_PER_TOKEN} characters per token, the usual figure for English with BPE
 * vocabularies); prefix blocks are fixed runs of characters, named by a hash chain so that a block's
 * hash identifies the whole prefix up to and including it.
 */
public final class SchedulingRequest {
    /** Characters per token assumed when the gateway estimates a prompt's length. */
    public static final int CHARS_PER_TOKEN = 4;

    private final long id;
    private final InferenceRequest request;
    private final String sessionKey;
    private final Instant now;
    private final int charsPerToken;
    private String promptText;
    private int hashedBlockChars;
    private long[] blockHashes;

    /**
     * @param id         unique per request within one scheduler (lets stateful plugins match a
     *                   dispatch with its completion)
     * @param sessionKey the session the request belongs to (a header, else the body's {@code user}),
     *                   or null
     * @param now        the time of the decision, from the scheduler's clock
     */
    public SchedulingRequest(long id, InferenceRequest request, String sessionKey, Instant now) {
        this(id, request, sessionKey, now, CHARS_PER_TOKEN);
    }

    /**
     * A request whose prompt text has {@code charsPerToken} characters per token: for the fleet
     * simulator, whose compact synthetic prompts are one character per token and stand for real text
     * that the gateway would estimate at {@value #CHARS_PER_TOKEN}.
     */
    public SchedulingRequest(long id, InferenceRequest request, String sessionKey, Instant now, int charsPerToken) {
        if (charsPerToken < 1) {
            throw new IllegalArgumentException("charsPerToken: " + charsPerToken + " (expected >= 1)");
        }
        this.id = id;
        this.request = Objects.requireNonNull(request, "request");
        this.sessionKey = sessionKey;
        this.now = Objects.requireNonNull(now, "now");
        this.charsPerToken = charsPerToken;
    }

    public long id() {
        return id;
    }

    public InferenceRequest request() {
        return request;
    }

    public String model() {
        return request.model();
    }

    /** The session key, or null when the request names none. */
    public String sessionKey() {
        return sessionKey;
    }

    public Instant now() {
        return now;
    }

    /**
     * The prompt as one string: for completions the prompt; for chat each message's role and
     * content, one after the other (the order a chat template keeps, so that a conversation that
     * grows by turns keeps its earlier text as a prefix).
     */
    public String promptText() {
        if (promptText == null) {
            if (request.messages() == null) {
                promptText = request.prompt() == null ? "" : request.prompt();
            } else {
                // joined in one allocation of the final length (a growing builder copied the text ~4 times)
                List<ChatMessage> messages = request.messages();
                String[] parts = new String[messages.size() * 2 + 1];
                for (int i = 0; i < messages.size(); i++) {
                    parts[2 * i] = messages.get(i).role();
                    parts[2 * i + 1] = messages.get(i).content();
                }
                parts[parts.length - 1] = ""; // so that the last message ends with a newline too
                promptText = String.join("\n", parts);
            }
        }
        return promptText;
    }

    /** The prompt's estimated token count (at least 1): its characters over the characters per token. */
    public int estimatedPromptTokens() {
        return Math.max(1, (promptText().length() + charsPerToken - 1) / charsPerToken);
    }

    /** The most tokens the request may generate: its {@code max_tokens}, else {@code fallback}. */
    public int maxTokens(int fallback) {
        Integer m = request.maxTokens();
        return m == null ? fallback : m;
    }

    /**
     * The hash chain of the prompt's whole blocks of {@code blockChars} characters: element i names
     * the prefix made of blocks 0..i (a partial last block is left out, as an engine's prefix cache
     * leaves out a partial last block). Computed once per block size; callers must not change the
     * array.
     */
    public long[] blockHashes(int blockChars) {
        if (blockChars <= 0) {
            throw new IllegalArgumentException("blockChars: " + blockChars + " (expected > 0)");
        }
        if (blockHashes == null || hashedBlockChars != blockChars) {
            String text = promptText();
            int n = text.length() / blockChars;
            long[] out = new long[n];
            long h = 0xcbf29ce484222325L;
            char[] block = new char[blockChars]; // a block at a time: array reads, not charAt's checks per char
            for (int b = 0; b < n; b++) {
                text.getChars(b * blockChars, (b + 1) * blockChars, block, 0);
                // four chars per step, a word at a time: multiply then rotate, both one-to-one, so two
                // prefixes that differ in one place never meet again; a chain step per 4 chars, not per
                // char, since the chain's latency is what a long prompt costs
                int i = 0;
                for (; i + 4 <= blockChars; i += 4) {
                    long w = block[i] | (long) block[i + 1] << 16 | (long) block[i + 2] << 32
                            | (long) block[i + 3] << 48;
                    h = Long.rotateLeft((h ^ w) * 0x9e3779b97f4a7c15L, 29);
                }
                for (; i < blockChars; i++) {
                    h = Long.rotateLeft((h ^ block[i]) * 0x9e3779b97f4a7c15L, 29);
                }
                out[b] = mix(h);
            }
            blockHashes = out;
            hashedBlockChars = blockChars;
        }
        return blockHashes;
    }

    /** A finalizer (SplitMix64's) so that nearby chains spread over the whole 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
