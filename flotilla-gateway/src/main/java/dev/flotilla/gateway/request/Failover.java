package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;

/**
 * What the request path needs to survive failing nodes, shared by every event loop of a gateway:
 * the configuration (timeouts per model, retry limits), the retry budget, the circuit breakers per
 * node, timers, and the room streams have to keep their bytes for continuations.
 */
public record Failover(GatewayConfig config, RetryBudget budget, NodeCircuits circuits, Timers timers,
                       KeptBytes keptBytes) {

    /** With room for kept bytes of a quarter of the heap. */
    public Failover(GatewayConfig config, RetryBudget budget, NodeCircuits circuits, Timers timers) {
        this(config, budget, circuits, timers, KeptBytes.quarterOfHeap());
    }
}
