package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import java.util.List;

/**
 * Decides whether a node may take a request at all. Pure: reads the snapshot and the request,
 * never does I/O, so a decision over a large fleet stays in microseconds.
 */
public interface Filter {
    /** The plugin's stable kebab-case type name. */
    String type();

    boolean accept(NodeSnapshot node, SchedulingRequest request);

    /**
     * The nodes to keep anyway when this filter accepted none of {@code rejected} (never empty): a
     * subset of them, none by default. For a filter that judges from estimates, so that it can leave
     * the final word to the node most likely to take the request rather than leave no candidate.
     */
    default List<NodeSnapshot> whenNoneAccepted(List<NodeSnapshot> rejected, SchedulingRequest request) {
        return List.of();
    }
}
