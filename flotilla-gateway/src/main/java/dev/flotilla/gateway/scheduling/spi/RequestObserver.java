package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;

/**
 * Implemented by stateful plugins (a prefix index, session affinity, a latency model fitted
 * online) that learn from what the gateway did: told when a request is sent to a node and when
 * that attempt ends, whatever the way it ends. Calls for one request come in order; calls for
 * different requests may come from different threads, so implementations are thread-safe.
 */
public interface RequestObserver {
    /** The request was sent to {@code node} (as the scheduler saw the node when it chose it). */
    default void dispatched(SchedulingRequest request, NodeSnapshot node) {
    }

    /** The attempt sent to {@code node} ended. */
    default void finished(SchedulingRequest request, String node, Completion completion) {
    }
}
