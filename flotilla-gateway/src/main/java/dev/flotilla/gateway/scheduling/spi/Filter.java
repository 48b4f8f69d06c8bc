package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;

/**
 * Decides whether a node may take a request at all. Pure: reads the snapshot and the request,
 * never does I/O, so a decision over a large fleet stays in microseconds.
 */
public interface Filter {
    /** The plugin's stable kebab-case type name. */
    String type();

    boolean accept(NodeSnapshot node, SchedulingRequest request);
}
