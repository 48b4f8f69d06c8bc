package dev.flotilla.planner.fit;

import java.util.Objects;

/**
 * One measurement of a model replica: how long a prefill or a decode step took with {@code batch}
 * requests in the batch.
 *
 * @param phase     what was timed
 * @param batch     requests in the batch (&ge; 1)
 * @param inTokens  input tokens of the request(s) prefilled (&ge; 0; for a decode step the mean
 *                  input length, needed only by the iteration model)
 * @param outTokens mean output tokens of the requests (&ge; 0; 0 when not known: the iteration
 *                  model needs it, the decode/prefill model does not)
 * @param timeMs    the measured time, ms (&gt; 0)
 */
public record Sample(Phase phase, int batch, double inTokens, double outTokens, double timeMs) {

    /** What a sample timed. */
    public enum Phase {
        /** The prefill of a request's input. */
        PREFILL,
        /** One decode step (one token for every request in the batch). */
        DECODE
    }

    public Sample {
        Objects.requireNonNull(phase, "phase");
    }
}
