package dev.flotilla.planner.perf;

import java.util.LinkedHashMap;

/**
 * How long a model replica takes to serve requests as a function of how many share the batch:
 * the per-batch-size service time feeds the birth-death chain of the queueing analysis, and the
 * latency formulas turn the chain's stationary figures into ITL and TTFT.
 *
 * <p>Three variants, all in milliseconds:
 * <ul>
 *   <li>{@link DecodePrefillModel}: Inferno's original decode {@code alpha + beta*n} and prefill
 *       {@code gamma + delta*inTokens*n};</li>
 *   <li>{@link IterationModel}: the iteration-time model {@code perfParms{alpha,beta,gamma}} of
 *       queue-analysis v0.3.0 (Inferno optimizer-light);</li>
 *   <li>{@link ChunkedIterationModel}: the later analysis with chunked prefill under a token
 *       budget per iteration (queue-analysis v0.7.0 and later).</li>
 * </ul>
 */
public sealed interface PerformanceModel permits DecodePrefillModel, IterationModel, ChunkedIterationModel {

    /** Mean time (ms) a request spends in a batch that holds {@code batch} requests throughout. */
    double serviceTime(int batch, RequestSize request);

    /** Prefill, ITL and TTFT (ms) of the mean request, given the queue's stationary figures. */
    Latencies latencies(ServiceStats stats, RequestSize request, int maxBatch);

    /**
     * Relative distance to a latency target at which the search for the maximum arrival rate may
     * stop; 0 means it runs until the interval cannot shrink any more.
     */
    double searchTolerance();

    /** Figures for replicas of a server without traffic. */
    IdleFigures idle(int maxBatch);

    /** Parameter names (Inferno spelling) and values, in a stable order, for validation and output. */
    LinkedHashMap<String, Double> parameters();

    /** The name of this variant in messages and documentation. */
    String kind();
}
