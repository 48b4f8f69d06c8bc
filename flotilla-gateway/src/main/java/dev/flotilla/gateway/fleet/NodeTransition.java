package dev.flotilla.gateway.fleet;

import java.time.Instant;

/** One change of a node's {@link NodeState}, with why it happened (for the log and the metrics). */
public record NodeTransition(String node, NodeState from, NodeState to, String reason, Instant at) {
}
