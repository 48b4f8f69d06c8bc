package dev.flotilla.planner.perf;

import java.util.LinkedHashMap;

/**
 * The later analysis of llm-inferno/queue-analysis (v0.7.0 and after): the same
 * {@code alpha, beta, gamma} as {@link IterationModel}, but an iteration holds at most
 * {@code maxNumTokens} tokens, so a long prompt is prefilled in {@code c(B)} chunks, and a request
 * no longer counts its own work twice. With I input and m output tokens:
 *
 * <ul>
 *   <li>c(B) = the least c &ge; 1 with floor((c+m)(M - I/c)/(I+m)) &ge; B (M = maxNumTokens);</li>
 *   <li>w_prefill(c) = (beta + gamma*(c+1)/2)*I, w_decode = beta*m + gamma*m*(I + (m+1)/2),
 *       delta(c) = (w_prefill(c) + w_decode)/(c + m);</li>
 *   <li>service time(B) = (c+m)*(alpha + B*delta(c));</li>
 *   <li>prefill(B) = c*max(0, alpha + (B-1)*delta(c)) + w_prefill(c);</li>
 *   <li>at the mean number in service B̄ (c read at B̄ rounded, within [1, maxBatch]):
 *       ITL = (mean service time - prefill(B̄))/m, TTFT = mean wait + prefill(B̄) + ITL.</li>
 * </ul>
 */
public record ChunkedIterationModel(double alpha, double beta, double gamma, int maxNumTokens)
        implements PerformanceModel {

    /** queue-analysis's default token budget per iteration. */
    public static final int DEFAULT_MAX_NUM_TOKENS = 8192;

    public ChunkedIterationModel {
        if (maxNumTokens <= 0) {
            throw new IllegalArgumentException("maxNumTokens: " + maxNumTokens + " (expected: > 0)");
        }
    }

    /** The model with queue-analysis's default token budget of 8192. */
    public static ChunkedIterationModel of(double alpha, double beta, double gamma) {
        return new ChunkedIterationModel(alpha, beta, gamma, DEFAULT_MAX_NUM_TOKENS);
    }

    /** Number of prefill chunks c(B) at batch size {@code batch} (&ge; 1). */
    public int chunks(RequestSize r, int batch) {
        int c = 1;
        while (batchSizeFor(r, c) < batch) {
            c++;
        }
        return c;
    }

    private long batchSizeFor(RequestSize r, int c) {
        double b = (c + r.outTokens()) * (maxNumTokens - r.inTokens() / c) / (r.inTokens() + r.outTokens());
        return (long) Math.floor(Math.max(0, b));
    }

    double delta(RequestSize r, int c) {
        return (prefillWork(r, c) + decodeWork(r)) / (c + r.outTokens());
    }

    private double prefillWork(RequestSize r, int c) {
        return (beta + gamma * (c + 1) / 2.0) * r.inTokens();
    }

    private double decodeWork(RequestSize r) {
        double m = r.outTokens();
        return beta * m + gamma * m * (r.inTokens() + (m + 1) / 2);
    }

    /** Prefill latency (ms) of a request joining a batch of {@code batch} with {@code c} chunks. */
    public double prefillTime(RequestSize r, double batch, int c) {
        double background = Math.max(0, alpha + (batch - 1) * delta(r, c));
        return c * background + prefillWork(r, c);
    }

    /** Inter-token latency (ms) in a batch of {@code batch} with {@code c} chunks, from the work model alone. */
    public double tokenTime(RequestSize r, double batch, int c) {
        double background = Math.max(0, alpha + (batch - 1) * delta(r, c));
        return background + beta + gamma * (r.inTokens() + (r.outTokens() + 1) / 2);
    }

    @Override
    public double serviceTime(int batch, RequestSize request) {
        int c = chunks(request, batch);
        return (c + request.outTokens()) * (alpha + batch * delta(request, c));
    }

    @Override
    public Latencies latencies(ServiceStats stats, RequestSize request, int maxBatch) {
        double b = stats.avgNumInService();
        int at = Math.min(Math.max((int) (b + 0.5), 1), maxBatch);
        double prefill = prefillTime(request, b, chunks(request, at));
        double itl = (stats.avgServiceTime() - prefill) / request.outTokens();
        return new Latencies(prefill, itl, stats.avgWaitTime() + prefill + itl);
    }

    @Override
    public double searchTolerance() {
        return 1e-6;
    }

    /** Inferno defines no idle figures for this model; those of {@link IterationModel} (same parameters) stand in. */
    @Override
    public IdleFigures idle(int maxBatch) {
        return new IterationModel(alpha, beta, gamma).idle(maxBatch);
    }

    @Override
    public LinkedHashMap<String, Double> parameters() {
        LinkedHashMap<String, Double> p = new LinkedHashMap<>();
        p.put("alpha", alpha);
        p.put("beta", beta);
        p.put("gamma", gamma);
        p.put("maxNumTokens", (double) maxNumTokens);
        return p;
    }

    @Override
    public String kind() {
        return "chunked iteration";
    }
}
