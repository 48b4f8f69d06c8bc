package dev.flotilla.gateway.fleet;

import java.util.Locale;

/**
 * Where a node stands in rotation. Scheduling sends new requests to {@link #HEALTHY} nodes, to
 * {@link #DEGRADED} ones only when no healthy node serves the model, and never to the others.
 */
public enum NodeState {
    /** Configured but has not yet passed a health check. */
    STARTING,
    /** Passing checks, fresh or no telemetry, error rate within bounds. */
    HEALTHY,
    /**
     * Passing checks but its telemetry is stale, its recent error rate is above the threshold, or it
     * is a latency outlier (much slower to the first token than its peers serving the same model).
     */
    DEGRADED,
    /** Out of rotation after failed checks or failed requests, until enough checks pass again. */
    UNHEALTHY,
    /** Taken out by an operator: in-flight requests finish, no new ones arrive. */
    DRAINING;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used in JSON and metric labels. */
    public String label() {
        return label;
    }

    /** Whether scheduling may send this node new requests at all. */
    public boolean routable() {
        return this == HEALTHY || this == DEGRADED;
    }
}
