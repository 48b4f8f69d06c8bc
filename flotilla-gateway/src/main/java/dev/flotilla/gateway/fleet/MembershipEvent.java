package dev.flotilla.gateway.fleet;

/**
 * A change of the fleet's membership, passed to {@link NodeRegistry#addMembershipListener}
 * listeners: the scraper keeps a history per node, the health checker checks a new node at once,
 * the metrics drop a gone node's series. A node is {@link Removing} (out of rotation, requests in
 * flight finishing) before it is {@link Removed}; a node whose URL changed is removed and then
 * added again under the same name.
 */
public sealed interface MembershipEvent {
    /** The node's name. */
    String node();

    /** A node joined the fleet; it is STARTING (out of rotation) until its first passed check. */
    record Added(NodeSnapshot snapshot) implements MembershipEvent {
        @Override
        public String node() {
            return snapshot.name();
        }
    }

    /** A node takes no new requests and leaves once the {@code inFlight} requests on it have finished. */
    record Removing(NodeSnapshot snapshot, int inFlight, String reason) implements MembershipEvent {
        @Override
        public String node() {
            return snapshot.name();
        }
    }

    /** A node has left the fleet; {@code last} is its final snapshot. Drop everything kept for it. */
    record Removed(NodeSnapshot last) implements MembershipEvent {
        @Override
        public String node() {
            return last.name();
        }
    }

    /** A node's static facts (accelerator, memory, TFLOPS) changed; its health and load are kept. */
    record FactsChanged(NodeSnapshot snapshot) implements MembershipEvent {
        @Override
        public String node() {
            return snapshot.name();
        }
    }
}
