package dev.flotilla.gateway.fleet;

/**
 * What {@link NodeRegistry#replace} did with a new definition of an existing node: its facts are
 * changed in place, or, for a new URL (another server), the old node is removed and the new one
 * takes its place in the fleet's order once the old one's requests in flight have finished.
 */
public sealed interface ReplaceResult {
    /** The definition is the node's current one. */
    record Unchanged(NodeSnapshot snapshot) implements ReplaceResult {
    }

    /** Same URL, other facts: changed in place, health and load kept. */
    record FactsUpdated(NodeSnapshot snapshot) implements ReplaceResult {
    }

    /** A new URL, nothing in flight on the old one: the new node is in place, STARTING. */
    record Replaced(NodeSnapshot snapshot) implements ReplaceResult {
    }

    /**
     * A new URL: the old node is DRAINING and the new one takes its place once the {@code inFlight}
     * requests on the old one have finished.
     */
    record Pending(NodeSnapshot old, int inFlight) implements ReplaceResult {
    }

    /** Nothing changed: the new URL is used by another node. */
    record Rejected(Conflict conflict) implements ReplaceResult {
    }

    /** No node has this name (use {@link NodeRegistry#add}). */
    record Unknown(String name) implements ReplaceResult {
    }
}
