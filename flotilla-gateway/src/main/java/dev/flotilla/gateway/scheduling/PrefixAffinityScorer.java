package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.Arrays;
import java.util.List;

/**
 * Type {@value #TYPE}: prefers the node most likely to hold the prompt's prefix in its KV cache,
 * the idea of llm-d's prefix-cache scorer. It keeps an approximate index of the prompt blocks it
 * sent to each node ({@link PrefixIndex}, filled at dispatch) and scores
 * {@code matched leading blocks on that node / blocks in the prompt} over at most the first
 * {@code maxBlocks} blocks; 0 for a prompt shorter than one block.
 *
 * <p>Parameters: {@code blockChars} (default 64, about 16 tokens: the block size of vLLM's prefix
 * cache), {@code maxEntries} (default 200000: blocks remembered over all nodes, least recently
 * used evicted first; about 100 bytes each), {@code maxBlocks} (default 256, as llm-d's
 * {@code maxPrefixBlocksToMatch}: only a prompt's first blocks are indexed and matched, which bounds
 * the work and memory per request).
 */
public final class PrefixAffinityScorer implements Scorer, RequestObserver {
    public static final String TYPE = "prefix-affinity";

    private final int blockChars;
    private final int maxBlocks;
    private final PrefixIndex index;

    PrefixAffinityScorer(int blockChars, int maxEntries, int maxBlocks) {
        this.blockChars = blockChars;
        this.maxBlocks = maxBlocks;
        this.index = new PrefixIndex(maxEntries);
    }

    PrefixAffinityScorer(int blockChars, int maxEntries) {
        this(blockChars, maxEntries, Integer.MAX_VALUE);
    }

    /** The factory: reads {@code blockChars}, {@code maxEntries} and {@code maxBlocks}. */
    public static PrefixAffinityScorer create(PluginParams params, PluginContext context) {
        return new PrefixAffinityScorer((int) params.integer("blockChars", 64, 1, 1 << 20),
                (int) params.integer("maxEntries", 200_000, 1, 100_000_000),
                (int) params.integer("maxBlocks", 256, 1, 1 << 20));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        long[] hashes = request.blockHashes(blockChars);
        int blocks = Math.min(maxBlocks, hashes.length);
        if (blocks == 0) {
            Arrays.fill(scores, 0);
            return;
        }
        index.matchedBlocks(candidates, hashes, blocks, scores);
        for (int i = 0; i < scores.length; i++) {
            scores[i] /= blocks;
        }
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        index.record(node.name(), request.blockHashes(blockChars), maxBlocks);
    }

    PrefixIndex index() {
        return index;
    }
}
