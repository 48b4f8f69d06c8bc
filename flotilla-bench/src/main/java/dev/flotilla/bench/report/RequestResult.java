package dev.flotilla.bench.report;

/**
 * What happened to one benchmark request. Times are nanoseconds; {@code sentNanos} counts from
 * the start of the run (wall time for a live run, virtual time for a simulation).
 */
public sealed interface RequestResult permits RequestResult.Completed, RequestResult.Failed {

    String id();

    String tenant();

    long sentNanos();

    /**
     * A stream that ended with {@code [DONE]}.
     *
     * @param ttftNanos     send to first content token
     * @param e2elNanos     send to the end of the stream
     * @param promptTokens  from the usage chunk, or the trace's figure when the server sent no usage
     * @param outputTokens  from the usage chunk, or the number of content chunks when it sent none
     * @param usageReported whether the server sent usage
     */
    record Completed(String id, String tenant, long sentNanos, long ttftNanos, long e2elNanos, int promptTokens,
                     int outputTokens, boolean usageReported) implements RequestResult {

        /**
         * Time per output token after the first, as vLLM's benchmark defines it:
         * {@code (e2el - ttft) / (output_tokens - 1)}, and 0 for one token or none.
         */
        public double tpotNanos() {
            return outputTokens > 1 ? (double) (e2elNanos - ttftNanos) / (outputTokens - 1) : 0;
        }
    }

    /**
     * A request that did not complete.
     *
     * @param elapsedNanos send to failure (0 when it was never sent)
     * @param httpStatus   the status when the server answered with one other than 200, else 0
     * @param detail       what went wrong, for the report's examples
     */
    record Failed(String id, String tenant, long sentNanos, long elapsedNanos, ErrorKind kind, int httpStatus,
                  String detail) implements RequestResult {
    }
}
