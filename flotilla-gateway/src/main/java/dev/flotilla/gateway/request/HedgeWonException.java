package dev.flotilla.gateway.request;

/** Ends a first attempt whose hedge produced output first; the pipeline continues on the hedge's answer. */
final class HedgeWonException extends RuntimeException {
    HedgeWonException(String node) {
        super("the hedge on node '" + node + "' answered first", null, false, false);
    }
}
