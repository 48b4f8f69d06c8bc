package dev.flotilla.gateway.fleet;

/** What {@link NodeRegistry#add} did. */
public sealed interface AddResult {
    /** The node joined at the end of the fleet, STARTING until its first passed health check. */
    record Added(NodeSnapshot snapshot) implements AddResult {
    }

    /** Nothing changed: the name or the URL is taken. */
    record Rejected(Conflict conflict) implements AddResult {
    }
}
