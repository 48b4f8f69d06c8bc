package dev.flotilla.planner.perf;

import java.util.LinkedHashMap;

/**
 * The iteration-time model {@code perfParms{alpha, beta, gamma}} of llm-inferno/queue-analysis
 * v0.3.0, as used by Inferno optimizer-light: one iteration of a batch of {@code n} requests takes
 * {@code T(n) = alpha + n*(beta*(I+O)/(O+1) + gamma*(I + O/2))} ms, where {@code beta} scales
 * compute per token and {@code gamma} memory (KV-cache) access per token; I and O are the mean
 * input and output tokens.
 *
 * <ul>
 *   <li>prefill(n) = T(n) + (beta + gamma)*I (0 without input tokens);</li>
 *   <li>decode(n) = T(n) + beta + gamma*(I + O/2);</li>
 *   <li>service time(n) = prefill(n) + O*decode(n);</li>
 *   <li>at the queue's mean number in service n̄: ITL = (mean service time - prefill(n̄))/O and
 *       TTFT = mean wait + prefill(n̄) + ITL.</li>
 * </ul>
 */
public record IterationModel(double alpha, double beta, double gamma) implements PerformanceModel {

    /** Iteration time T(n) in ms. */
    public double iterationTime(RequestSize r, double n) {
        double computeTokens = (r.inTokens() + r.outTokens()) / (r.outTokens() + 1);
        double memoryTokens = r.inTokens() + r.outTokens() / 2;
        return alpha + n * (beta * computeTokens + gamma * memoryTokens);
    }

    /** Prefill time in ms with {@code n} requests in the batch. */
    public double prefillTime(RequestSize r, double n) {
        return r.inTokens() == 0 ? 0 : iterationTime(r, n) + (beta + gamma) * r.inTokens();
    }

    /** Time of one decode step in ms with {@code n} requests in the batch. */
    public double decodeTime(RequestSize r, double n) {
        return iterationTime(r, n) + beta + gamma * (r.inTokens() + r.outTokens() / 2);
    }

    @Override
    public double serviceTime(int batch, RequestSize request) {
        return prefillTime(request, batch) + request.outTokens() * decodeTime(request, batch);
    }

    @Override
    public Latencies latencies(ServiceStats stats, RequestSize request, int maxBatch) {
        double prefill = prefillTime(request, stats.avgNumInService());
        double itl = (stats.avgServiceTime() - prefill) / request.outTokens();
        return new Latencies(prefill, itl, stats.avgWaitTime() + prefill + itl);
    }

    @Override
    public double searchTolerance() {
        return 1e-6;
    }

    @Override
    public IdleFigures idle(int maxBatch) {
        double decode = alpha + beta;
        double prefill = decode + gamma * maxBatch;
        double maxService = prefill + alpha + beta * maxBatch;
        return new IdleFigures(decode, prefill, maxService > 0 ? maxBatch / maxService : 0);
    }

    @Override
    public LinkedHashMap<String, Double> parameters() {
        LinkedHashMap<String, Double> p = new LinkedHashMap<>();
        p.put("alpha", alpha);
        p.put("beta", beta);
        p.put("gamma", gamma);
        return p;
    }

    @Override
    public String kind() {
        return "iteration";
    }
}
