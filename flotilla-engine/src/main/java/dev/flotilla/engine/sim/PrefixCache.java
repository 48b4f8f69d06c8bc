package dev.flotilla.engine.sim;

import java.util.HashMap;

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

    /** Every cached block by its hash, held or free. */
    private final HashMap<Long, Block> blocks = new HashMap<>();
    /**
     * Sentinel of the free blocks' list, least recently used first (the eviction order). Our own
     * intrusive list rather than a second map: only the unheld blocks, a subset of the map, are in
     * LRU order, and a block moves in and out of it on every admission and release (the simulator
     * does this millions of times an hour of traffic, so one map lookup per block matters).
     */
    private final Block free = new Block(0);
    private int freeCount;
    private long queriedTokens;
    private long hitTokens;

    PrefixCache() {
        free.prev = free;
        free.next = free;
    }

    /**
     * Looks up a prompt's leading blocks, counts the query and the hit (in tokens), and holds every
     * full block of the prompt for the generation. Returns the prompt tokens whose KV is cached: at
     * most all but the last token, which is always computed so the model produces the next one.
     */
    int admit(long[] hashes, int promptTokens) {
        int hitBlocks = 0;
        boolean hitting = true;
        for (long hash : hashes) {
            Block b = blocks.get(hash);
            if (b == null) {
                hitting = false;
                b = new Block(hash);
                blocks.put(hash, b);
            } else {
                if (hitting) {
                    hitBlocks++;
                }
                if (b.holders == 0) {
                    unlink(b);
                }
            }
            b.holders++;
        }
        int cached = Math.min(hitBlocks * BLOCK_TOKENS, Math.max(0, promptTokens - 1));
        queriedTokens += promptTokens;
        hitTokens += cached;
        return cached;
    }

    /** A generation ended: its blocks stay cached, most recently used, in the free part. */
    void release(long[] hashes) {
        // later blocks of a prompt are evicted first: they are useful only if the earlier ones hit
        for (int i = hashes.length - 1; i >= 0; i--) {
            Block b = blocks.get(hashes[i]);
            if (b == null || b.holders == 0) {
                continue; // a repeated hash within one prompt: released already
            }
            if (--b.holders == 0) {
                b.prev = free.prev;
                b.next = free;
                free.prev.next = b;
                free.prev = b;
                freeCount++;
            }
        }
    }

    /** Evicts least recently used free blocks until at most {@code freeBlocks} remain. */
    void fitFree(long freeBlocks) {
        long keep = Math.max(0, freeBlocks);
        while (freeCount > keep) {
            Block lru = free.next;
            unlink(lru);
            blocks.remove(lru.hash);
        }
    }

    private void unlink(Block b) {
        b.prev.next = b.next;
        b.next.prev = b.prev;
        b.prev = null;
        b.next = null;
        freeCount--;
    }

    /** Blocks cached (held or free). */
    int size() {
        return blocks.size();
    }

    long queriedTokens() {
        return queriedTokens;
    }

    long hitTokens() {
        return hitTokens;
    }

    /** One cached KV block: how many running generations hold it, and its place in the free list. */
    private static final class Block {
        final long hash;
        int holders;
        Block prev;
        Block next;

        Block(long hash) {
            this.hash = hash;
        }
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
