package dev.flotilla.gateway.fleet;

/** What {@link NodeRegistry#remove} did. */
public sealed interface RemoveResult {
    /** Nothing was in flight on the node: it has left the fleet. {@code last} is its final snapshot. */
    record Removed(NodeSnapshot last) implements RemoveResult {
    }

    /**
     * The node takes no new requests (it is DRAINING) and leaves the fleet once the {@code inFlight}
     * requests on it have finished. Removing it again changes nothing.
     */
    record Pending(NodeSnapshot snapshot, int inFlight) implements RemoveResult {
    }

    /** No node has this name. */
    record Unknown(String name) implements RemoveResult {
    }
}
