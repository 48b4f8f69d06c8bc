package dev.flotilla.planner.queue;

import dev.flotilla.planner.perf.Latencies;
import dev.flotilla.planner.perf.PerformanceModel;
import dev.flotilla.planner.perf.RequestSize;
import java.util.Locale;
import java.util.Objects;

/**
 * Queueing analysis of one inference-server replica doing continuous batching (after Inferno's
 * queue analyzer, llm-inferno/queue-analysis): a birth-death chain whose service rate with
 * {@code n} requests in the batch is {@code n / serviceTime(n)}, batch limit N and room for
 * {@code maxQueue} waiting requests.
 *
 * <p>{@link #analyze} gives throughput, response, waiting and service figures, ITL and TTFT at an
 * arrival rate; {@link #size} finds, by bisection on the arrival rate, the highest rate per replica
 * that meets each target. Rates are in requests per second, times in milliseconds.
 */
public final class QueueAnalyzer {

    /** Share of the lowest service rate taken as the lowest rate, and below the highest as the highest. */
    static final double EPSILON = 0.001;
    /** A throughput target is provisioned at this share below the highest stable rate. */
    static final double STABILITY_SAFETY_FRACTION = 0.1;

    private final PerformanceModel perf;
    private final RequestSize request;
    private final BirthDeathChain chain;
    private final double lambdaMin;
    private final double lambdaMax;

    /**
     * @param maxBatch N, the most requests in a batch (&ge; 1)
     * @param maxQueue the most requests waiting for a batch slot (&ge; 0)
     */
    public QueueAnalyzer(PerformanceModel perf, RequestSize request, int maxBatch, int maxQueue) {
        this.perf = Objects.requireNonNull(perf, "perf");
        this.request = Objects.requireNonNull(request, "request");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch: " + maxBatch + " (expected: >= 1)");
        }
        if (maxQueue < 0) {
            throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: >= 0)");
        }
        double[] rates = new double[maxBatch];
        for (int n = 1; n <= maxBatch; n++) {
            double time = perf.serviceTime(n, request);
            if (!(time > 0) || Double.isInfinite(time)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "service time with %d requests in the batch: %s ms (expected: > 0; check the %s parameters %s)",
                        n, time, perf.kind(), perf.parameters()));
            }
            rates[n - 1] = n / time;
        }
        this.chain = new BirthDeathChain(rates, maxBatch + maxQueue);
        this.lambdaMin = rates[0] * EPSILON;
        this.lambdaMax = rates[maxBatch - 1] * (1 - EPSILON);
    }

    /** Batch limit N. */
    public int maxBatch() {
        return chain.batchLimit();
    }

    /** Lowest rate the search considers, requests/s. */
    public double minRate() {
        return lambdaMin * 1000;
    }

    /** Highest stable rate: just under the full batch's completion rate, requests/s. */
    public double maxRate() {
        return lambdaMax * 1000;
    }

    /** Performance at an offered rate (requests/s, &gt; 0). Beyond {@link #maxRate()} the queue fills and turns requests away. */
    public QueueMetrics analyze(double requestsPerSecond) {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("request rate: " + requestsPerSecond + " (expected: > 0)");
        }
        ChainMetrics m = chain.solve(requestsPerSecond / 1000);
        Latencies l = perf.latencies(m.serviceStats(), request, maxBatch());
        double rho = Math.min(Math.max(m.avgNumInService() / maxBatch(), 0), 1);
        return new QueueMetrics(requestsPerSecond, m.throughput() * 1000, m.avgRespTime(), m.avgWaitTime(),
                m.avgNumInService(), l.prefill(), l.itl(), l.ttft(), maxRate(), rho);
    }

    /**
     * The highest rate per replica meeting each target (ITL and TTFT by bisection on the arrival
     * rate, throughput at 90% of the highest rate), and the performance at the lowest of them.
     */
    public Sizing size(Targets targets) {
        double tolerance = perf.searchTolerance();
        double ttftRate = lambdaMax;
        if (targets.ttft() > 0) {
            Bisection.Result r = Bisection.search(lambdaMin, lambdaMax, targets.ttft(), tolerance, this::ttftAt);
            if (r.position() == Bisection.Position.BELOW) {
                return new Sizing.Infeasible("TTFT target " + ms(targets.ttft()) + " cannot be met at any rate (at least "
                        + ms(Math.min(ttftAt(lambdaMin), ttftAt(lambdaMax))) + " with batch limit " + maxBatch() + ")");
            }
            ttftRate = r.x();
        }
        double itlRate = lambdaMax;
        if (targets.itl() > 0) {
            Bisection.Result r = Bisection.search(lambdaMin, lambdaMax, targets.itl(), tolerance, this::itlAt);
            if (r.position() == Bisection.Position.BELOW) {
                return new Sizing.Infeasible("ITL target " + ms(targets.itl()) + " cannot be met at any rate (at least "
                        + ms(Math.min(itlAt(lambdaMin), itlAt(lambdaMax))) + " with batch limit " + maxBatch() + ")");
            }
            itlRate = r.x();
        }
        double tpsRate = targets.tps() > 0 ? lambdaMax * (1 - STABILITY_SAFETY_FRACTION) : lambdaMax;
        TargetRates rates = new TargetRates(ttftRate * 1000, itlRate * 1000, tpsRate * 1000);
        return new Sizing.Feasible(rates, analyze(rates.binding()));
    }

    /** A duration for messages: 40 ms, 209.9 ms. */
    private static String ms(double v) {
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.4g", v)) + " ms";
    }

    private double ttftAt(double lambda) {
        ChainMetrics m = chain.solve(lambda);
        return perf.latencies(m.serviceStats(), request, maxBatch()).ttft();
    }

    private double itlAt(double lambda) {
        ChainMetrics m = chain.solve(lambda);
        return perf.latencies(m.serviceStats(), request, maxBatch()).itl();
    }
}
