package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;

/**
 * Type {@value #TYPE}: the cache-aware policy of SGLang's router as its documentation describes
 * it, over this gateway's own view (it ignores the scorers' totals). The load of a node is the
 * requests this gateway has outstanding there.
 * <ol>
 *   <li>If the load is imbalanced, {@code max - min > balanceAbsThreshold} and
 *       {@code max > min * balanceRelThreshold}, the least loaded node.</li>
 *   <li>Else, if the best prefix match rate ({@code matched blocks / prompt blocks} in its
 *       {@link PrefixIndex}) is above {@code cacheThreshold}, the node with that match.</li>
 *   <li>Else the node with the smallest index (the least cached text: the most room to cache
 *       this prompt).</li>
 * </ol>
 * Ties go to a seeded random choice among the tied nodes. The index learns at dispatch, as SGLang's
 * router inserts a request's text into the chosen worker's tree.
 *
 * <p>Parameters (SGLang's defaults): {@code cacheThreshold} 0.5, {@code balanceAbsThreshold} 32,
 * {@code balanceRelThreshold} 1.0001; and ours: {@code blockChars} 64 (SGLang matches characters;
 * blocks of the request's hash chain are the approximation), {@code maxEntries} 200000 (SGLang
 * bounds its tree by {@code max_tree_size}).
 */
public final class SglangCacheAwarePicker implements Picker, RequestObserver {
    public static final String TYPE = "sglang-cache-aware";

    private final double cacheThreshold;
    private final double balanceAbsThreshold;
    private final double balanceRelThreshold;
    private final int blockChars;
    private final PrefixIndex index;
    private final SeededRandom random;

    SglangCacheAwarePicker(double cacheThreshold, double balanceAbsThreshold, double balanceRelThreshold,
                           int blockChars, int maxEntries, SeededRandom random) {
        this.cacheThreshold = cacheThreshold;
        this.balanceAbsThreshold = balanceAbsThreshold;
        this.balanceRelThreshold = balanceRelThreshold;
        this.blockChars = blockChars;
        this.index = new PrefixIndex(maxEntries);
        this.random = random;
    }

    /** The factory: reads the parameters named in the class comment. */
    public static SglangCacheAwarePicker create(PluginParams params, PluginContext context) {
        return new SglangCacheAwarePicker(
                params.number("cacheThreshold", 0.5, 0, 1),
                params.number("balanceAbsThreshold", 32, 0, 1e9),
                params.number("balanceRelThreshold", 1.0001, 1, 1e9),
                (int) params.integer("blockChars", 64, 1, 1 << 20),
                (int) params.integer("maxEntries", 200_000, 1, 100_000_000),
                SeededRandom.forPlace(context, params));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        int n = candidates.size();
        if (n <= 1) {
            return n - 1;
        }
        double[] load = new double[n];
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            load[i] = candidates.get(i).outstanding();
            min = Math.min(min, load[i]);
            max = Math.max(max, load[i]);
        }
        if (max - min > balanceAbsThreshold && max > min * balanceRelThreshold) {
            return lowest(load);
        }
        long[] hashes = request.blockHashes(blockChars);
        if (hashes.length > 0) {
            double[] negMatch = new double[n];
            double best = 0;
            index.matchedBlocks(candidates, hashes, hashes.length, negMatch);
            for (int i = 0; i < n; i++) {
                double rate = negMatch[i] / hashes.length;
                negMatch[i] = -rate;
                best = Math.max(best, rate);
            }
            if (best > cacheThreshold) {
                return lowest(negMatch);
            }
        }
        double[] size = new double[n];
        for (int i = 0; i < n; i++) {
            size[i] = index.size(candidates.get(i).name());
        }
        return lowest(size);
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        index.record(node.name(), request.blockHashes(blockChars));
    }

    /** The index of the smallest value, a random one of them on a tie. */
    private int lowest(double[] values) {
        double min = Double.POSITIVE_INFINITY;
        int ties = 0;
        for (double v : values) {
            if (v < min) {
                min = v;
                ties = 1;
            } else if (v == min) {
                ties++;
            }
        }
        int chosen = ties == 1 ? 0 : random.nextInt(ties);
        for (int i = 0; i < values.length; i++) {
            if (values[i] == min && chosen-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable: " + ties + " tied candidates counted");
    }

    PrefixIndex index() {
        return index;
    }
}
