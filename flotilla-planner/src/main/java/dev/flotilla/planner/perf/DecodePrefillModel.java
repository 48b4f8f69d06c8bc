package dev.flotilla.planner.perf;

import java.util.LinkedHashMap;

/**
 * Inferno's first performance model (llm-inferno/optimizer, {@code decodeParms}/{@code prefillParms}):
 * a decode step takes {@code alpha + beta*n} ms and a prefill {@code gamma + delta*inTokens*n} ms
 * when {@code n} requests share the batch. A request of {@code O} output tokens is one prefill and
 * {@code O-1} decode steps.
 *
 * <p>Latencies use the effective concurrency: the batch size {@code n} at which one request's
 * prefill plus {@code O-1} decode steps take exactly the mean service time of the queue, clamped to
 * [0, maxBatch]; ITL is the decode time and the prefill the prefill time at that {@code n}, and TTFT
 * is the mean wait plus that prefill.
 */
public record DecodePrefillModel(double alpha, double beta, double gamma, double delta) implements PerformanceModel {

    /** Prefill time (ms) of a request of {@code inTokens} when {@code n} requests share the batch. */
    public double prefillTime(double inTokens, double n) {
        return inTokens == 0 ? 0 : gamma + delta * inTokens * n;
    }

    /** Decode step time (ms) when {@code n} requests share the batch. */
    public double decodeTime(double n) {
        return alpha + beta * n;
    }

    @Override
    public double serviceTime(int batch, RequestSize request) {
        return prefillTime(request.inTokens(), batch) + (request.outTokens() - 1) * decodeTime(batch);
    }

    @Override
    public Latencies latencies(ServiceStats stats, RequestSize request, int maxBatch) {
        double n = effectiveConcurrency(stats, request, maxBatch);
        double prefill = prefillTime(request.inTokens(), n);
        return new Latencies(prefill, decodeTime(n), stats.avgWaitTime() + prefill);
    }

    /**
     * The batch size n solving {@code prefill(n) + (O-1)*decode(n) = avgServiceTime}, clamped to
     * [0, maxBatch]. When the service time does not depend on n (no input tokens and a single
     * output token, or zero slopes) the queue's mean number in service stands in.
     */
    double effectiveConcurrency(ServiceStats stats, RequestSize request, int maxBatch) {
        double steps = request.outTokens() - 1;
        double fixed = (request.inTokens() == 0 ? 0 : gamma) + alpha * steps;
        double perRequest = delta * request.inTokens() + beta * steps;
        double n = perRequest == 0 ? stats.avgNumInService() : (stats.avgServiceTime() - fixed) / perRequest;
        return Math.min(Math.max(n, 0), maxBatch);
    }

    /** Inferno's v1 search checks its tolerance against the wrong quantity, so in effect it never stops early. */
    @Override
    public double searchTolerance() {
        return 0;
    }

    @Override
    public IdleFigures idle(int maxBatch) {
        double prefill = gamma + delta;
        double maxService = prefill + alpha + beta * maxBatch;
        return new IdleFigures(alpha + beta, prefill, maxService > 0 ? maxBatch / maxService : 0);
    }

    @Override
    public LinkedHashMap<String, Double> parameters() {
        LinkedHashMap<String, Double> p = new LinkedHashMap<>();
        p.put("alpha", alpha);
        p.put("beta", beta);
        p.put("gamma", gamma);
        p.put("delta", delta);
        return p;
    }

    @Override
    public String kind() {
        return "decode/prefill";
    }
}
