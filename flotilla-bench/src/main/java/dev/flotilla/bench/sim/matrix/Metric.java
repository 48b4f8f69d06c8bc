package dev.flotilla.bench.sim.matrix;

import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A figure policies are compared on, and which way is better. */
public enum Metric {
    P50_TTFT("p50_ttft_ms", "p50 TTFT (ms)", false, CellResult::p50TtftMs),
    P99_TTFT("p99_ttft_ms", "p99 TTFT (ms)", false, CellResult::p99TtftMs),
    P99_ITL("p99_itl_ms", "p99 ITL (ms)", false, CellResult::p99ItlMs),
    THROUGHPUT("request_throughput", "throughput (req/s)", true, CellResult::requestThroughput),
    OUTPUT_THROUGHPUT("output_throughput", "throughput (tok/s)", true, CellResult::outputThroughput),
    GOODPUT("request_goodput", "goodput (req/s)", true, CellResult::goodput);

    private final String key;
    private final String label;
    private final boolean higherIsBetter;
    private final ToDoubleFunction<CellResult> value;

    Metric(String key, String label, boolean higherIsBetter, ToDoubleFunction<CellResult> value) {
        this.key = key;
        this.label = label;
        this.higherIsBetter = higherIsBetter;
        this.value = value;
    }

    public String key() {
        return key;
    }

    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The cell's figure; NaN when it has none. */
    public double of(CellResult cell) {
        return value.applyAsDouble(cell);
    }

    /** True when {@code a} is strictly better than {@code b}; a missing figure (NaN) is worse than any other. */
    boolean better(double a, double b) {
        if (Double.isNaN(a)) {
            return false;
        }
        if (Double.isNaN(b)) {
            return true;
        }
        return higherIsBetter ? a > b : a < b;
    }

    /**
     * True when {@code value} is within {@code tolerance} (e.g. 0.03) of {@code best}: at most
     * {@code best * (1 + tolerance)} when lower is better, at least {@code best * (1 - tolerance)}
     * when higher is. A missing value is within only when the best is missing too.
     */
    boolean within(double value, double best, double tolerance) {
        if (Double.isNaN(best)) {
            return true;
        }
        if (Double.isNaN(value)) {
            return false;
        }
        return higherIsBetter ? value >= best * (1 - tolerance) : value <= best * (1 + tolerance);
    }

    static String formatLoad(double load) {
        return (load == Math.rint(load) ? String.valueOf((long) load) : String.format(Locale.ROOT, "%s", load)) + "%";
    }
}
