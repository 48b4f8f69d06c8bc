package dev.flotilla.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How closely a simulated run predicted a live one: the relative differences of the p50 and p90 of
 * TTFT and end-to-end latency between two bench reports ({@code result.json} of {@code flotilla
 * bench} and of {@code flotilla sim} over the same trace), each checked against a tolerance.
 *
 * @param live      the live run's result.json
 * @param sim       the simulated run's result.json
 * @param tolerance the largest relative difference |sim - live| / live that still agrees, e.g. 0.10
 * @param figures   the compared percentiles, in the order TTFT p50, TTFT p90, E2E p50, E2E p90
 */
public record Agreement(Map<String, Object> live, Map<String, Object> sim, double tolerance, List<Figure> figures) {

    /** The result.json keys compared, with the names the table shows. */
    private static final List<String[]> KEYS = List.of(new String[]{"TTFT p50", "median_ttft_ms"},
            new String[]{"TTFT p90", "p90_ttft_ms"}, new String[]{"E2E p50", "median_e2el_ms"},
            new String[]{"E2E p90", "p90_e2el_ms"});

    /**
     * One compared percentile.
     *
     * @param name   e.g. {@code TTFT p50}
     * @param key    its result.json key, e.g. {@code median_ttft_ms}
     * @param liveMs the live figure in milliseconds
     * @param simMs  the simulated figure in milliseconds
     */
    public record Figure(String name, String key, double liveMs, double simMs) {
        /** (sim - live) / live: positive when the simulator predicts slower than measured. */
        public double relativeDifference() {
            return (simMs - liveMs) / liveMs;
        }

        /** Whether |{@link #relativeDifference()}| is at most {@code tolerance}. */
        public boolean within(double tolerance) {
            return Math.abs(relativeDifference()) <= tolerance;
        }
    }

    public Agreement {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("tolerance: " + tolerance + " (expected a fraction >= 0, e.g. 0.1)");
        }
        live = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(live));
        sim = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sim));
        figures = List.copyOf(figures);
    }

    /** Compares two result.json objects; fails naming the key when a figure is missing or not positive. */
    public static Agreement of(Map<String, Object> live, Map<String, Object> sim, double tolerance) {
        List<Figure> figures = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String[] k : KEYS) {
            Double l = positive(live, k[1], "live", problems);
            Double s = positive(sim, k[1], "sim", problems);
            if (l != null && s != null) {
                figures.add(new Figure(k[0], k[1], l, s));
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new Agreement(live, sim, tolerance, figures);
    }

    /** Compares two bench reports. */
    public static Agreement of(BenchReport live, BenchReport sim, double tolerance) {
        return of(live.toJson(), sim.toJson(), tolerance);
    }

    /** Compares two result.json files. */
    @SuppressWarnings("unchecked")
    public static Agreement read(Path liveResult, Path simResult, double tolerance) throws IOException {
        ObjectMapper json = new ObjectMapper();
        return of(json.readValue(liveResult.toFile(), Map.class), json.readValue(simResult.toFile(), Map.class),
                tolerance);
    }

    /** Whether every figure is within the tolerance. */
    public boolean agrees() {
        return figures.stream().allMatch(f -> f.within(tolerance));
    }

    /** The figures outside the tolerance. */
    public List<Figure> disagreements() {
        return figures.stream().filter(f -> !f.within(tolerance)).toList();
    }

    /** A console table: live, sim, difference and verdict per figure, then the requests and tokens of both runs. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-10s %12s %12s %10s%n", "(ms)", "live", "sim", "diff"));
        for (Figure f : figures) {
            b.append(String.format(Locale.ROOT, "%-10s %12.3f %12.3f %+9.1f%% %s%n", f.name(), f.liveMs(), f.simMs(),
                    100 * f.relativeDifference(), f.within(tolerance) ? "ok" : "OUT"));
        }
        b.append(String.format(Locale.ROOT, "%-10s %12s %12s%n", "completed", live.get("completed"),
                sim.get("completed")));
        b.append(String.format(Locale.ROOT, "%-10s %12s %12s%n", "out tokens", live.get("total_output_tokens"),
                sim.get("total_output_tokens")));
        b.append(String.format(Locale.ROOT, "tolerance %.1f%%: %s%n", 100 * tolerance,
                agrees() ? "the simulation agrees" : "the simulation disagrees on "
                        + String.join(", ", disagreements().stream().map(Figure::name).toList())));
        return b.toString();
    }

    private static Double positive(Map<String, Object> result, String key, String side, List<String> problems) {
        Object v = result.get(key);
        if (v instanceof Number n && n.doubleValue() > 0 && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        problems.add(side + " " + key + ": " + v + " (expected a latency > 0 ms)");
        return null;
    }
}
