package dev.flotilla.gateway.fleet.telemetry;

/**
 * How far a node's telemetry can be trusted: scheduling must tell "no data" from "idle".
 */
public enum DataState {
    /** No scrape of the node has succeeded yet: its figures say nothing. */
    NO_DATA,
    /** The last successful scrape is younger than the stale bound. */
    FRESH,
    /** The last successful scrape is older than the stale bound (the node stopped answering). */
    STALE
}
