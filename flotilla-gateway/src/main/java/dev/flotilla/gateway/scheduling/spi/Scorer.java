package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import java.util.List;

/**
 * Rates every candidate for one request, all at once (so that a scorer can normalise across the
 * candidates, and so that per-request work is done once, not per node). Pure apart from its own
 * state (a stateful scorer also implements {@link RequestObserver}); never does I/O.
 */
public interface Scorer {
    /** The plugin's stable kebab-case type name. */
    String type();

    /**
     * Writes into {@code scores[i]} how good {@code candidates.get(i)} is for the request: 1 best,
     * 0 worst; NaN when the scorer has no data for that node (the engine then counts the neutral
     * 0.5). The engine clamps values outside 0..1 and weights them; {@code scores} has exactly
     * {@code candidates.size()} elements and arrives zeroed.
     */
    void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores);
}
