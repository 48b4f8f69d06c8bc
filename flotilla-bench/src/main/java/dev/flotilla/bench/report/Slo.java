package dev.flotilla.bench.report;

/**
 * Service-level objectives for goodput, each optional (null). A completed request meets them when
 * its TTFT, its time per output token and its end-to-end latency are each at most the objective
 * given, which is how vLLM's {@code benchmark_serving.py --goodput ttft:.. tpot:.. e2el:..} counts
 * it; {@code itlMs} is compared with the request's time per output token (its mean inter-token
 * latency after the first token). Failed requests never meet them.
 */
public record Slo(Double ttftMs, Double itlMs, Double e2elMs) {
    public static final Slo NONE = new Slo(null, null, null);

    public Slo {
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

    /** Whether the request meets every objective given. */
    public boolean met(RequestResult.Completed r) {
        return (ttftMs == null || r.ttftNanos() <= ttftMs * 1e6)
                && (itlMs == null || r.tpotNanos() <= itlMs * 1e6)
                && (e2elMs == null || r.e2elNanos() <= e2elMs * 1e6);
    }

    /** E.g. "TTFT <= 500 ms, ITL <= 50 ms". */
    public String describe() {
        StringBuilder b = new StringBuilder();
        append(b, "TTFT", ttftMs);
        append(b, "ITL", itlMs);
        append(b, "E2E latency", e2elMs);
        return b.isEmpty() ? "none" : b.toString();
    }

    private static void append(StringBuilder b, String name, Double ms) {
        if (ms != null) {
            b.append(b.isEmpty() ? "" : ", ").append(name).append(" <= ").append(Format.number(ms)).append(" ms");
        }
    }
}
