package dev.flotilla.engine.sim;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The simulated engine's automatic prefix cache, after vLLM's: the KV cache is split into blocks of
 * {@link #BLOCK_TOKENS} tokens; a full prompt block is identified by a hash chained over every
 * block before it and its own tokens, so equal hashes mean equal prefixes. A generation admitted
 * to the batch first looks up its leading blocks (the hit stops at the first miss), then holds all
 * its full prompt blocks while it runs (a block shared by running generations is counted once per
 * generation in the engine's KV reservation: a conservative simplification). Blocks nobody holds
 * stay cached in the free part of the KV cache and are evicted least recently used first when the
 * free part shrinks. Not thread-safe: the engine calls it under its lock.
 */
final class PrefixCache {
    /** Tokens per KV block (vLLM's default block size on GPUs). */
    static final int BLOCK_TOKENS = 16;

    /** Blocks nobody holds, least recently used first (the eviction order). */
    private final LinkedHashMap<Long, Boolean> free = new LinkedHashMap<>(16, 0.75f, false);
    /** Blocks held by running generations, with how many hold each. */
    private final Map<Long, Integer> held = new HashMap<>();
    private long queriedTokens;
    private long hitTokens;

    /**
     * Looks up a prompt's leading blocks, counts the query and the hit (in tokens), and holds every
     * full block of the prompt for the generation. Returns the prompt tokens whose KV is cached: at
     * most all but the last token, which is always computed so the model produces the next one.
     */
    int admit(long[] blocks, int promptTokens) {
        int hitBlocks = 0;
        while (hitBlocks < blocks.length && (held.containsKey(blocks[hitBlocks]) || free.containsKey(blocks[hitBlocks]))) {
            hitBlocks++;
        }
        int cached = Math.min(hitBlocks * BLOCK_TOKENS, Math.max(0, promptTokens - 1));
        queriedTokens += promptTokens;
        hitTokens += cached;
        for (long block : blocks) {
            free.remove(block);
            held.merge(block, 1, Integer::sum);
        }
        return cached;
    }

    /** A generation ended: its blocks stay cached, most recently used, in the free part. */
    void release(long[] blocks) {
        // later blocks of a prompt are evicted first: they are useful only if the earlier ones hit
        for (int i = blocks.length - 1; i >= 0; i--) {
            Integer n = held.get(blocks[i]);
            if (n == null) {
                continue; // held twice by this prompt (a repeated block hash): released already
            }
            if (n > 1) {
                held.put(blocks[i], n - 1);
            } else {
                held.remove(blocks[i]);
                free.put(blocks[i], Boolean.TRUE);
            }
        }
    }

    /** Evicts least recently used free blocks until at most {@code freeBlocks} remain. */
    void fitFree(long freeBlocks) {
        Iterator<Long> lru = free.keySet().iterator();
        long excess = free.size() - Math.max(0, freeBlocks);
        while (excess-- > 0 && lru.hasNext()) {
            lru.next();
            lru.remove();
        }
    }

    /** Blocks cached (held or free). */
    int size() {
        return held.size() + free.size();
    }

    long queriedTokens() {
        return queriedTokens;
    }

    long hitTokens() {
        return hitTokens;
    }

    /**
     * The chained hashes of the full blocks of a prompt, tokenised as {@link SimText#countTokens}
     * counts (a word, or one other non-space character). A 64-bit mix of our own: the hash needs no
     * cryptographic strength, only few collisions and no allocation per token, and no library in
     * the design offers a streaming 64-bit hash over code points.
     */
    static long[] blockHashes(String text) {
        long[] out = new long[SimText.countTokens(text) / BLOCK_TOKENS];
        // one accumulator over the whole prompt: a block's hash depends on every token before it
        long block = 0x9e3779b97f4a7c15L;
        long token = 0;
        boolean inWord = false;
        int tokensInBlock = 0;
        int filled = 0;
        for (int i = 0; i < text.length() && filled < out.length; ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            boolean word = Character.isLetterOrDigit(c) || c == '\'';
            if (word && inWord) {
                token = token * 31 + c;
                continue;
            }
            if (inWord) { // a word ended: it was one token
                block = mix(block ^ token);
                if (++tokensInBlock == BLOCK_TOKENS) {
                    out[filled++] = block;
                    tokensInBlock = 0;
                }
                inWord = false;
            }
            if (word) {
                inWord = true;
                token = c;
            } else if (!Character.isWhitespace(c) && filled < out.length) {
                block = mix(block ^ (0x100000000L | c));
                if (++tokensInBlock == BLOCK_TOKENS) {
                    out[filled++] = block;
                    tokensInBlock = 0;
                }
            }
        }
        if (inWord && filled < out.length) {
            block = mix(block ^ token);
            if (++tokensInBlock == BLOCK_TOKENS) {
                out[filled++] = block;
            }
        }
        return out;
    }

    /** SplitMix64's finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
