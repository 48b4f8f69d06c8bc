package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}: prefers the node most likely to hold the prompt's prefix in its KV cache,
 * the idea of llm-d's prefix-cache scorer. It keeps an approximate index of the prompt blocks it
 * sent to each node ({@link PrefixIndex}, filled at dispatch) and scores
 * {@code matched leading blocks on that node / blocks in the prompt}; 0 for a prompt shorter than
 * one block.
 *
 * <p>Parameters: {@code blockChars} (default 64, about 16 tokens: the block size of vLLM's prefix
 * cache), {@code maxEntries} (default 200000: blocks remembered over all nodes, least recently
 * used evicted first; about 100 bytes each).
 */
public final class PrefixAffinityScorer implements Scorer, RequestObserver {
    public static final String TYPE = "prefix-affinity";

    private final int blockChars;
    private final PrefixIndex index;

    PrefixAffinityScorer(int blockChars, int maxEntries) {
        this.blockChars = blockChars;
        this.index = new PrefixIndex(maxEntries);
    }

    /** The factory: reads {@code blockChars} and {@code maxEntries}. */
    public static PrefixAffinityScorer create(PluginParams params, PluginContext context) {
        return new PrefixAffinityScorer((int) params.integer("blockChars", 64, 1, 1 << 20),
                (int) params.integer("maxEntries", 200_000, 1, 100_000_000));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        long[] hashes = request.blockHashes(blockChars);
        for (int i = 0; i < scores.length; i++) {
            scores[i] = hashes.length == 0 ? 0
                    : (double) index.matchedBlocks(candidates.get(i).name(), hashes) / hashes.length;
        }
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        index.record(node.name(), request.blockHashes(blockChars));
    }

    PrefixIndex index() {
        return index;
    }
}
