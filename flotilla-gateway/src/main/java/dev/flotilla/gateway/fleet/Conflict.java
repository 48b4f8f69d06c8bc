package dev.flotilla.gateway.fleet;

/**
 * Why a membership change was refused: the name or the URL is already in the fleet.
 *
 * @param field   {@code name} or {@code url}, the field of the node entry at fault
 * @param value   the offending value
 * @param message {@code "field: \"value\" (expected ...)"}, naming the node that holds it
 */
public record Conflict(Kind kind, String field, String value, String message) {
    /** The two ways a node can collide with the fleet. */
    public enum Kind {
        /** A node with this name exists, or is still being removed. */
        NAME_TAKEN,
        /** Another node (or a node about to replace one) uses this URL. */
        URL_TAKEN
    }
}
