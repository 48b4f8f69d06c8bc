package dev.flotilla.gateway.scheduling.spi;

/**
 * How one attempt on a node ended, as the gateway measured it.
 *
 * @param outcome          how it ended
 * @param promptTokens     prompt tokens the node reported in {@code usage}, or -1 when unknown
 * @param completionTokens tokens the node generated for this attempt (from {@code usage}, else
 *                         counted from the stream), or -1 when unknown
 * @param firstTokenNanos  dispatch to the first token, or -1 when none came (or not streamed)
 * @param durationNanos    dispatch to the end of the attempt
 */
public record Completion(Outcome outcome, int promptTokens, int completionTokens, long firstTokenNanos,
                         long durationNanos) {

    /** The ways an attempt ends. */
    public enum Outcome {
        /** The node answered completely. */
        SUCCESS,
        /** The node failed: refused, reset, a 5xx or malformed answer. */
        ERROR,
        /** A timeout of the gateway ended it. */
        TIMEOUT,
        /** The client went away, or the gateway cancelled it (e.g. the losing copy of a hedge). */
        CANCELLED,
        /** The node answered with a client error (4xx): says nothing about the node's health. */
        REJECTED
    }
}
