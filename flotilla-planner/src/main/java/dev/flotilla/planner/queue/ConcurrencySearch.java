package dev.flotilla.planner.queue;

import dev.flotilla.planner.perf.ChunkedIterationModel;
import dev.flotilla.planner.perf.RequestSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntToDoubleFunction;

/**
 * The smallest batch limit (concurrency) that reaches near-peak throughput under SLO targets,
 * after the formula-guided onset search of llm-inferno/queue-analysis ({@code /optimize}):
 *
 * <ol>
 *   <li>closed-form brackets from the work model alone: M_ITL, the largest batch whose ITL meets
 *       the target, and M_TPF, the largest whose prefill meets the TTFT target (1 when none);</li>
 *   <li>the throughput f* at the highest allowed concurrency (the plateau), where f(M) is the
 *       SLO-bound throughput of {@link QueueAnalyzer#size} with batch limit M;</li>
 *   <li>bisection over [max(1, min(M_ITL, M_TPF)), min(M_max, max(3*max(M_ITL, M_TPF), lo+1))],
 *       at most 6 probes, for the least M with f(M) &ge; (1 - 0.02/2) f*.</li>
 * </ol>
 */
public final class ConcurrencySearch {

    /** Share of the peak throughput that counts as reached (halved in the threshold). */
    public static final double EPSILON = 0.02;
    /** Most bisection probes. */
    public static final int MAX_ITERATIONS = 6;

    private final ChunkedIterationModel perf;
    private final RequestSize request;
    private final Targets targets;
    private final int maxQueue;

    public ConcurrencySearch(ChunkedIterationModel perf, RequestSize request, Targets targets, int maxQueue) {
        this.perf = Objects.requireNonNull(perf, "perf");
        this.request = Objects.requireNonNull(request, "request");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.maxQueue = maxQueue;
    }

    /**
     * Outcome of a search.
     *
     * @param concurrency M*, the least batch limit reaching near-peak throughput (1 when infeasible)
     * @param throughput  SLO-bound throughput at M*, requests/s (0 when infeasible)
     * @param metrics     the replica's performance at M*'s binding rate (null when infeasible)
     * @param mItl        closed-form ITL bracket
     * @param mTpf        closed-form prefill bracket
     * @param calls       feasible throughput evaluations made, including the confirming one
     * @param probes      batch limits evaluated, in order
     */
    public record Result(int concurrency, double throughput, QueueMetrics metrics, int mItl, int mTpf,
            double anchorThroughput, int calls, List<Integer> probes, boolean feasible) {
    }

    /** Searches batch limits in [1, mMax]. */
    public Result find(int mMax) {
        if (mMax < 1) {
            throw new IllegalArgumentException("mMax: " + mMax + " (expected: >= 1)");
        }
        int mItl = largestMeeting(b -> perf.tokenTime(request, b, perf.chunks(request, b)), targets.itl(), mMax);
        int mTpf = largestMeeting(b -> perf.prefillTime(request, b, perf.chunks(request, b)), targets.ttft(), mMax);
        List<Integer> probes = new ArrayList<>();
        int[] calls = {0};
        IntToDoubleFunction probe = m -> {
            probes.add(m);
            QueueMetrics at = sizeAt(m);
            double f = at == null ? 0 : at.throughput();
            if (f > 0) {
                calls[0]++;
            }
            return f;
        };
        double peak = probe.applyAsDouble(mMax);
        if (peak <= 0) {
            return new Result(1, 0, null, mItl, mTpf, peak, calls[0], probes, false);
        }
        double threshold = (1 - EPSILON / 2) * peak;
        int lo = Math.max(1, Math.min(mItl, mTpf));
        int upper = Math.max(mItl, mTpf);
        int hi = Math.max(lo, Math.min(mMax, Math.max(3 * upper, lo + 1)));
        for (int i = 0; lo < hi && i < MAX_ITERATIONS; i++) {
            int mid = (lo + hi) / 2;
            if (probe.applyAsDouble(mid) >= threshold) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        int best = Math.max(1, Math.min(mMax, hi));
        double throughput = probe.applyAsDouble(best);
        boolean feasible = throughput > 0;
        return new Result(best, throughput, feasible ? sizeAt(best) : null, mItl, mTpf, peak, calls[0], probes,
                feasible);
    }

    private QueueMetrics sizeAt(int maxBatch) {
        Sizing s = new QueueAnalyzer(perf, request, maxBatch, maxQueue).size(targets);
        return s instanceof Sizing.Feasible f ? f.atBinding() : null;
    }

    private static int largestMeeting(IntToDoubleFunction metric, double target, int mMax) {
        int best = 1;
        for (int b = 1; b <= mMax; b++) {
            if (metric.applyAsDouble(b) <= target) {
                best = b;
            }
        }
        return best;
    }
}
