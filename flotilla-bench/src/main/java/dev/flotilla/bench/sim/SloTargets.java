package dev.flotilla.bench.sim;

/**
 * Service-level objectives for goodput, each optional (null), counted as {@code flotilla bench}
 * and vLLM's {@code benchmark_serving.py --goodput} count them: a completed request is good when
 * its TTFT, its time per output token (compared with {@code itlMs}) and its end-to-end latency are
 * each at most the objective given. Rejected requests are never good.
 */
public record SloTargets(Double ttftMs, Double itlMs, Double e2elMs) {

    public static final SloTargets NONE = new SloTargets(null, null, null);

    public SloTargets {
        check("slo ttft", ttftMs);
        check("slo itl", itlMs);
        check("slo e2el", e2elMs);
    }

    private static void check(String name, Double ms) {
        if (ms != null && (!(ms >= 0) || ms.isInfinite())) {
            throw new IllegalArgumentException(name + ": " + ms + " ms (expected >= 0)");
        }
    }

    /** Whether any objective is given (goodput is reported only then). */
    public boolean isSet() {
        return ttftMs != null || itlMs != null || e2elMs != null;
    }

    /** Whether a request with these times meets every objective given. */
    public boolean met(long ttftNanos, double tpotNanos, long e2elNanos) {
        return (ttftMs == null || ttftNanos <= ttftMs * 1e6)
                && (itlMs == null || tpotNanos <= itlMs * 1e6)
                && (e2elMs == null || e2elNanos <= e2elMs * 1e6);
    }
}
