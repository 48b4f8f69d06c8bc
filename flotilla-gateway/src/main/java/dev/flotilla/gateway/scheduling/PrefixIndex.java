package dev.flotilla.gateway.scheduling;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An approximate index of which prompt prefixes each node has seen recently: entries are (node,
 * block hash) pairs, where a block hash names a whole prefix (the hash chain of
 * {@code SchedulingRequest#blockHashes}). Bounded: at most {@code maxEntries} entries over all
 * nodes, the least recently recorded evicted first, much as an engine's prefix cache evicts. It is
 * an estimate of the engines' caches, not a mirror: the gateway sees what it sent, not what the
 * engine evicted.
 *
 * <p>Thread-safe (one lock; record and match are a few map operations per block).
 */
final class PrefixIndex {
    private record Key(String node, long hash) {
    }

    private final int maxEntries;
    private final Map<String, Integer> perNode = new HashMap<>();
    private final LinkedHashMap<Key, Boolean> lru;

    PrefixIndex(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected >= 1)");
        }
        this.maxEntries = maxEntries;
        this.lru = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
                if (size() <= PrefixIndex.this.maxEntries) {
                    return false;
                }
                perNode.computeIfPresent(eldest.getKey().node(), (k, v) -> v == 1 ? null : v - 1);
                return true;
            }
        };
    }

    /** Records all of {@code hashes} (see {@link #record(String, long[], int)}). */
    void record(String node, long[] hashes) {
        record(node, hashes, hashes.length);
    }

    /**
     * Records that {@code node} was sent a prompt with these block hashes (the first {@code limit}).
     * The blocks are touched from the last to the first so that shorter prefixes (shared by more
     * prompts) are the most recent and evicted last, and a prefix never loses its start before its
     * end.
     */
    synchronized void record(String node, long[] hashes, int limit) {
        for (int i = Math.min(limit, hashes.length) - 1; i >= 0; i--) {
            Key e = new Key(node, hashes[i]);
            if (lru.putIfAbsent(e, Boolean.TRUE) == null) {
                perNode.merge(node, 1, Integer::sum);
            } else {
                lru.get(e); // an access moves it to the most recent end
            }
        }
    }

    /**
     * How many leading blocks of the first {@code limit} of {@code hashes} {@code node} has seen
     * (does not refresh them). A binary search: the blocks of a node's prefix are present from the
     * start without a gap, because {@link #record} touches a prefix's start after its end, so
     * eviction (oldest first) takes a block only after every later block of the same chain.
     */
    synchronized int matchedBlocks(String node, long[] hashes, int limit) {
        int hi = Math.min(limit, hashes.length); // blocks [hi, ...) are known absent or beyond the limit
        // most nodes have not seen even the first block of a given prompt: one probe answers for them
        if (hi == 0 || !lru.containsKey(new Key(node, hashes[0]))) {
            return 0;
        }
        int lo = 1; // blocks [0, lo) are known present
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (lru.containsKey(new Key(node, hashes[mid]))) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** How many leading blocks of {@code hashes} {@code node} has seen. */
    int matchedBlocks(String node, long[] hashes) {
        return matchedBlocks(node, hashes, hashes.length);
    }

    /** Entries over all nodes (never above the bound). */
    synchronized int size() {
        return lru.size();
    }

    /** Entries of one node: how much prompt text the gateway thinks it has cached. */
    synchronized int size(String node) {
        return perNode.getOrDefault(node, 0);
    }
}
