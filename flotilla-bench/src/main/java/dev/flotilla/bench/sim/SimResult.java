package dev.flotilla.bench.sim;

import java.util.Locale;

/**
 * What happened to one simulated request, with exact virtual times in nanoseconds from the start
 * of the run (the report's percentiles are rounded to microseconds; these are not).
 */
public sealed interface SimResult permits SimResult.Completed, SimResult.Rejected {

    SimRequest request();

    /**
     * A request that streamed to its end.
     *
     * @param node         the node the router chose
     * @param ttftNanos    arrival to the client receiving the first token
     * @param e2elNanos    arrival to the client receiving the last token
     * @param promptTokens prompt tokens as the engine counted them (chat template included)
     * @param outputTokens tokens generated
     */
    record Completed(SimRequest request, String node, long ttftNanos, long e2elNanos, int promptTokens,
                     int outputTokens) implements SimResult {

        /** Time per output token after the first, vLLM's {@code (e2el - ttft) / (output - 1)}; 0 for one token. */
        public double tpotNanos() {
            return outputTokens > 1 ? (double) (e2elNanos - ttftNanos) / (outputTokens - 1) : 0;
        }
    }

    /**
     * A request the fleet did not serve.
     *
     * @param node   the node that refused it, or null when the router found none
     * @param atNanos when it was refused
     * @param detail what the live gateway's error body would say
     */
    record Rejected(SimRequest request, String node, RejectReason reason, long atNanos, String detail)
            implements SimResult {
    }

    /** Why a request was not served; the label is the report key. */
    enum RejectReason {
        /** No node passed the routing filters (the gateway answers 503). */
        NO_NODE(503),
        /** The prompt does not fit the chosen node's context (the node answers 400). */
        PROMPT_TOO_LONG(400);

        private final int httpStatus;

        RejectReason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        /** The status a client of the live gateway would get. */
        public int httpStatus() {
            return httpStatus;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
