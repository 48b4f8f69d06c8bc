package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An approximate index of which prompt prefixes each node has seen recently: entries are (node,
 * block hash) pairs, where a block hash names a whole prefix (the hash chain of
 * {@code SchedulingRequest#blockHashes}). Bounded: at most {@code maxEntries} entries over all
 * nodes, the least recently recorded evicted first, much as an engine's prefix cache evicts. It is
 * an estimate of the engines' caches, not a mirror: the gateway sees what it sent, not what the
 * engine evicted.
 *
 * <p>Laid out for the scoring pass, which asks for every candidate at once: each distinct block
 * hash has one small array of the (int) ids of the nodes that hold it, found by one probe of an
 * open-addressing table of primitive longs, so a pass costs one lookup per block for the whole
 * fleet, not one per node and probe, and allocates nothing. The (node, hash) entries themselves
 * are slots of primitive arrays chained in recency order. Node ids are handed out on a node's first
 * entry and taken back with its last, so names of nodes long gone hold no memory.
 *
 * <p>Thread-safe (one lock; record and match are a few array operations per block).
 */
final class PrefixIndex {
    private static final int NONE = -1;
    /** A freed hash's node arrays are kept for reuse only up to this size (bounds retained memory). */
    private static final int KEEP_SET_CAPACITY = 4;

    private final int maxEntries;

    // node ids
    private final Map<String, Integer> ids = new HashMap<>();
    private String[] names = new String[8];
    private int[] nodeEntries = new int[8];
    private int[] freeIds = new int[8];
    private int freeIdCount;
    private int idsUsed;

    // entries: (hash set, node) pairs, chained from the oldest to the newest
    private int[] entrySet = new int[16];
    private int[] entryNode = new int[16];
    private int[] entryPos = new int[16];
    private int[] older = new int[16];
    private int[] newer = new int[16];
    private int oldest = NONE;
    private int newest = NONE;
    private int size;
    private int entriesUsed;
    private int freeEntry = NONE;

    // one set per distinct block hash: the nodes holding it, and their entries, in parallel arrays
    private long[] setHash = new long[16];
    private int[][] setNodes = new int[16][];
    private int[][] setEntries = new int[16][];
    private int[] setSize = new int[16];
    private int[] freeSets = new int[16];
    private int freeSetCount;
    private int setsUsed;

    // hash -> set id + 1 (0 empty), linear probing, deletion by backward shift
    private long[] tableKeys = new long[32];
    private int[] tableSets = new int[32];
    private int tableShift = 64 - 5;
    private int tableLive;

    // scratch of a matching pass (under the lock): depth[id] is valid when stamp[id] == pass
    private int[] depth = new int[8];
    private int[] stamp = new int[8];
    private int pass;

    PrefixIndex(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected >= 1)");
        }
        this.maxEntries = maxEntries;
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
        int n = Math.min(limit, hashes.length);
        if (n <= 0) {
            return;
        }
        int id = idOf(node);
        for (int i = n - 1; i >= 0; i--) {
            int set = setOf(hashes[i]);
            int entry = entryOf(set, id);
            if (entry != NONE) {
                unlink(entry);
                linkNewest(entry);
            } else {
                add(set, id);
                if (size > maxEntries) {
                    evictOldest();
                }
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
        Integer boxed = ids.get(node);
        // most nodes have not seen even the first block of a given prompt: one probe answers for them
        if (hi <= 0 || boxed == null || !holds(hashes[0], boxed)) {
            return 0;
        }
        int id = boxed;
        int lo = 1; // blocks [0, lo) are known present
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (holds(hashes[mid], id)) {
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

    /**
     * For every candidate at once, how many leading blocks of the first {@code limit} of
     * {@code hashes} it has seen, into {@code matched[i]} (a double, so that a scorer can pass its
     * scores array and divide in place; does not refresh them). One lookup per
     * block for all nodes: block b's node array advances the nodes that held blocks 0..b-1, and the
     * walk stops at the first block that advances none. The same answers as
     * {@link #matchedBlocks(String, long[], int)} for the hash chains the index is fed.
     */
    synchronized void matchedBlocks(List<NodeSnapshot> candidates, long[] hashes, int limit, double[] matched) {
        int n = Math.min(limit, hashes.length);
        int p = nextPass();
        for (int b = 0; b < n; b++) {
            int set = find(hashes[b]);
            if (set == NONE) {
                break;
            }
            int[] nodes = setNodes[set];
            int advanced = 0;
            for (int k = 0, m = setSize[set]; k < m; k++) {
                int id = nodes[k];
                if (b == 0) {
                    stamp[id] = p;
                    depth[id] = 1;
                    advanced++;
                } else if (stamp[id] == p && depth[id] == b) {
                    depth[id] = b + 1;
                    advanced++;
                }
            }
            if (advanced == 0) {
                break;
            }
        }
        for (int i = 0, c = candidates.size(); i < c; i++) {
            Integer id = n <= 0 ? null : ids.get(candidates.get(i).name());
            matched[i] = id == null || stamp[id] != p ? 0 : depth[id];
        }
    }

    /** Entries over all nodes (never above the bound). */
    synchronized int size() {
        return size;
    }

    /** Entries of one node: how much prompt text the gateway thinks it has cached. */
    synchronized int size(String node) {
        Integer id = ids.get(node);
        return id == null ? 0 : nodeEntries[id];
    }

    /**
     * What the index holds memory for, for tests of its bound: entry slots, hash sets, table slots,
     * node ids and node-array elements ever allocated and still referenced.
     */
    synchronized Footprint footprint() {
        long setElements = 0;
        for (int s = 0; s < setsUsed; s++) {
            setElements += setNodes[s] == null ? 0 : setNodes[s].length;
        }
        return new Footprint(entrySet.length, setHash.length, tableKeys.length, names.length, ids.size(), setElements);
    }

    /** See {@link #footprint()}. */
    record Footprint(int entrySlots, int setSlots, int tableSlots, int idSlots, int liveIds, long setElements) {
    }

    private int nextPass() {
        if (++pass == 0) { // after 2^32 passes: stale stamps could collide, so clear them
            Arrays.fill(stamp, 0);
            pass = 1;
        }
        return pass;
    }

    private boolean holds(long hash, int id) {
        int set = find(hash);
        return set != NONE && entryOf(set, id) != NONE;
    }

    private int idOf(String node) {
        Integer known = ids.get(node);
        if (known != null) {
            return known;
        }
        int id;
        if (freeIdCount > 0) {
            id = freeIds[--freeIdCount];
        } else {
            id = idsUsed++;
            if (id == names.length) {
                int cap = names.length * 2;
                names = Arrays.copyOf(names, cap);
                nodeEntries = Arrays.copyOf(nodeEntries, cap);
                freeIds = Arrays.copyOf(freeIds, cap);
                depth = Arrays.copyOf(depth, cap);
                stamp = Arrays.copyOf(stamp, cap);
            }
        }
        names[id] = node;
        nodeEntries[id] = 0;
        stamp[id] = 0;
        ids.put(node, id);
        return id;
    }

    private void releaseId(int id) {
        ids.remove(names[id]);
        names[id] = null;
        freeIds[freeIdCount++] = id;
    }

    /** The entry of {@code id} in the set, or NONE. */
    private int entryOf(int set, int id) {
        int[] nodes = setNodes[set];
        for (int k = 0, m = setSize[set]; k < m; k++) {
            if (nodes[k] == id) {
                return setEntries[set][k];
            }
        }
        return NONE;
    }

    private void add(int set, int id) {
        int entry;
        if (freeEntry != NONE) {
            entry = freeEntry;
            freeEntry = newer[entry];
        } else {
            entry = entriesUsed++;
            if (entry == entrySet.length) {
                int cap = (int) Math.min((long) entrySet.length * 2, (long) maxEntries + 1);
                entrySet = Arrays.copyOf(entrySet, cap);
                entryNode = Arrays.copyOf(entryNode, cap);
                entryPos = Arrays.copyOf(entryPos, cap);
                older = Arrays.copyOf(older, cap);
                newer = Arrays.copyOf(newer, cap);
            }
        }
        int k = setSize[set];
        if (setNodes[set] == null) {
            setNodes[set] = new int[2];
            setEntries[set] = new int[2];
        } else if (k == setNodes[set].length) {
            setNodes[set] = Arrays.copyOf(setNodes[set], k * 2);
            setEntries[set] = Arrays.copyOf(setEntries[set], k * 2);
        }
        setNodes[set][k] = id;
        setEntries[set][k] = entry;
        setSize[set] = k + 1;
        entrySet[entry] = set;
        entryNode[entry] = id;
        entryPos[entry] = k;
        linkNewest(entry);
        nodeEntries[id]++;
        size++;
    }

    private void evictOldest() {
        int entry = oldest;
        unlink(entry);
        int set = entrySet[entry];
        int last = setSize[set] - 1;
        int pos = entryPos[entry];
        if (pos != last) { // swap the last member into the hole
            int moved = setEntries[set][last];
            setNodes[set][pos] = setNodes[set][last];
            setEntries[set][pos] = moved;
            entryPos[moved] = pos;
        }
        setSize[set] = last;
        if (last == 0) {
            releaseSet(set);
        }
        int id = entryNode[entry];
        if (--nodeEntries[id] == 0) {
            releaseId(id);
        }
        newer[entry] = freeEntry;
        freeEntry = entry;
        size--;
    }

    private void linkNewest(int entry) {
        older[entry] = newest;
        newer[entry] = NONE;
        if (newest != NONE) {
            newer[newest] = entry;
        } else {
            oldest = entry;
        }
        newest = entry;
    }

    private void unlink(int entry) {
        int o = older[entry];
        int n = newer[entry];
        if (o != NONE) {
            newer[o] = n;
        } else {
            oldest = n;
        }
        if (n != NONE) {
            older[n] = o;
        } else {
            newest = o;
        }
    }

    // --- the hash table: block hash -> set ---

    private int slot(long hash) {
        return (int) ((hash * 0x9E3779B97F4A7C15L) >>> tableShift); // Fibonacci hashing: high bits
    }

    /** The set of {@code hash}, or NONE. */
    private int find(long hash) {
        int mask = tableKeys.length - 1;
        for (int i = slot(hash); ; i = (i + 1) & mask) {
            int v = tableSets[i];
            if (v == 0) {
                return NONE;
            }
            if (tableKeys[i] == hash) {
                return v - 1;
            }
        }
    }

    /** The set of {@code hash}, created empty when there is none. */
    private int setOf(long hash) {
        int found = find(hash);
        if (found != NONE) {
            return found;
        }
        if ((tableLive + 1) * 2 > tableKeys.length) {
            rehash(tableKeys.length * 2);
        }
        int set;
        if (freeSetCount > 0) {
            set = freeSets[--freeSetCount];
        } else {
            set = setsUsed++;
            if (set == setHash.length) {
                int cap = (int) Math.min((long) setHash.length * 2, (long) maxEntries + 1);
                setHash = Arrays.copyOf(setHash, cap);
                setNodes = Arrays.copyOf(setNodes, cap);
                setEntries = Arrays.copyOf(setEntries, cap);
                setSize = Arrays.copyOf(setSize, cap);
                freeSets = Arrays.copyOf(freeSets, cap);
            }
        }
        setHash[set] = hash;
        setSize[set] = 0;
        insert(hash, set);
        return set;
    }

    private void insert(long hash, int set) {
        int mask = tableKeys.length - 1;
        int i = slot(hash);
        while (tableSets[i] != 0) {
            i = (i + 1) & mask;
        }
        tableKeys[i] = hash;
        tableSets[i] = set + 1;
        tableLive++;
    }

    private void releaseSet(int set) {
        long hash = setHash[set];
        int mask = tableKeys.length - 1;
        int i = slot(hash);
        while (tableSets[i] != set + 1) {
            i = (i + 1) & mask;
        }
        // backward-shift deletion: move later members of the probe run into the hole where allowed
        int hole = i;
        for (int j = (hole + 1) & mask; tableSets[j] != 0; j = (j + 1) & mask) {
            int home = slot(tableKeys[j]);
            // the entry at j may move to the hole when its home is not cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                tableKeys[hole] = tableKeys[j];
                tableSets[hole] = tableSets[j];
                hole = j;
            }
        }
        tableSets[hole] = 0;
        tableLive--;
        if (setNodes[set].length > KEEP_SET_CAPACITY) {
            setNodes[set] = null;
            setEntries[set] = null;
        }
        freeSets[freeSetCount++] = set;
    }

    private void rehash(int capacity) {
        long[] keys = tableKeys;
        int[] sets = tableSets;
        tableKeys = new long[capacity];
        tableSets = new int[capacity];
        tableShift = 64 - Integer.numberOfTrailingZeros(capacity);
        tableLive = 0;
        for (int i = 0; i < keys.length; i++) {
            if (sets[i] != 0) {
                insert(keys[i], sets[i] - 1);
            }
        }
    }
}
