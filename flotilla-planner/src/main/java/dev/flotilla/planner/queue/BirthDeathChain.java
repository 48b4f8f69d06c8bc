package dev.flotilla.planner.queue;

/**
 * A single queue with state-dependent service rate and finite room (M/M/1/K with rate
 * {@code mu(n)}): with {@code n} requests present, {@code min(n, N)} of them are in the batch and
 * the batch completes requests at {@code serviceRates[min(n, N) - 1]} per ms; arrivals that find
 * {@code capacity} requests present are turned away. This is the model of continuous batching in
 * Inferno's queue analyzer (llm-inferno/queue-analysis, pkg/queue).
 *
 * <p>Stationary probabilities follow {@code p(n+1) = p(n) * lambda / mu(n+1)}; they are rescaled on
 * the way when they would overflow (large batches make the early ratios large).
 */
public final class BirthDeathChain {

    private static final double RESCALE_ABOVE = 1e200;

    private final double[] serviceRates;
    private final int capacity;

    /**
     * @param serviceRates {@code serviceRates[i]} is the completion rate (requests/ms) with
     *                     {@code i+1} requests in the batch; its length is the batch limit N
     * @param capacity     most requests present, in the batch or waiting (K &ge; N)
     */
    public BirthDeathChain(double[] serviceRates, int capacity) {
        if (serviceRates.length == 0) {
            throw new IllegalArgumentException("serviceRates: empty (expected: one rate per batch size)");
        }
        if (capacity < serviceRates.length) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= batch limit "
                    + serviceRates.length + ")");
        }
        for (int i = 0; i < serviceRates.length; i++) {
            if (!(serviceRates[i] > 0) || Double.isInfinite(serviceRates[i])) {
                throw new IllegalArgumentException("serviceRates[" + i + "]: " + serviceRates[i] + " (expected: > 0)");
            }
        }
        this.serviceRates = serviceRates.clone();
        this.capacity = capacity;
    }

    /** Batch limit N. */
    public int batchLimit() {
        return serviceRates.length;
    }

    /** Room K. */
    public int capacity() {
        return capacity;
    }

    /** Completion rate (requests/ms) with {@code n} (1..N) requests in the batch. */
    public double serviceRate(int n) {
        return serviceRates[n - 1];
    }

    /** Solves the chain at arrival rate {@code lambda} requests/ms (&gt; 0). */
    public ChainMetrics solve(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda: " + lambda + " (expected: > 0)");
        }
        int n = serviceRates.length;
        double[] p = new double[capacity + 1];
        p[0] = 1;
        for (int i = 0; i < capacity; i++) {
            double mu = serviceRates[Math.min(i, n - 1)];
            p[i + 1] = p[i] * lambda / mu;
            if (p[i + 1] > RESCALE_ABOVE) {
                for (int j = 0; j <= i + 1; j++) {
                    p[j] /= RESCALE_ABOVE;
                }
            }
        }
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        double inSystem = 0;
        double inService = 0;
        double cumulative = 0;
        for (int i = 0; i <= capacity; i++) {
            p[i] /= sum;
            inSystem += i * p[i];
            if (i <= n) {
                inService += i * p[i];
                cumulative += p[i];
            }
        }
        inService += Math.max(0, 1 - cumulative) * n;
        double throughput = lambda * (1 - p[capacity]);
        double resp = inSystem / throughput;
        double serv = inService / throughput;
        return new ChainMetrics(lambda, throughput, inSystem, inService, resp, serv, Math.max(resp - serv, 0), p[0],
                p[capacity]);
    }
}
