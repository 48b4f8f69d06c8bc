package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;

/**
 * What the request path needs to survive failing nodes, shared by every event loop of a gateway:
 * the configuration (timeouts per model, retry limits), the retry budget, the circuit breakers per
 * node, and timers.
 */
public record Failover(GatewayConfig config, RetryBudget budget, NodeCircuits circuits, Timers timers) {
}
