package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import java.util.List;

/**
 * Chooses one node among the candidates that passed every filter, given their weighted total
 * scores. Reads snapshots only, never does I/O.
 */
public interface Picker {
    /** The plugin's stable kebab-case type name. */
    String type();

    /**
     * The index in {@code candidates} of the chosen node, or -1 when there is none.
     *
     * @param totals the weighted sum of every scorer's score per candidate (all 0 when the profile
     *               has no scorer)
     */
    int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals);
}
