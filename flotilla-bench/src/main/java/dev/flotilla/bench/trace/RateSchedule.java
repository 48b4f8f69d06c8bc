package dev.flotilla.bench.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A request rate that changes over time in steps: each point sets the rate from its time until
 * the next point (before the first point the rate is 0; the last rate holds forever). Written as
 * {@code 0s:10,60s:50} (10 requests/s for a minute, then 50).
 */
public record RateSchedule(List<Step> steps) {

    /** From {@code at} seconds on, {@code rate} arrivals per second. */
    public record Step(double at, double rate) {
    }

    public RateSchedule {
        steps = List.copyOf(steps);
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("rate schedule: empty (expected at least one time:rate)");
        }
        double previous = -1;
        for (Step s : steps) {
            if (!(s.at() >= 0) || Double.isInfinite(s.at()) || s.at() <= previous) {
                throw new IllegalArgumentException("rate schedule: time " + s.at()
                        + " s (expected >= 0 and after the previous point)");
            }
            if (!(s.rate() >= 0) || Double.isInfinite(s.rate())) {
                throw new IllegalArgumentException("rate schedule: rate " + s.rate() + " at " + s.at()
                        + " s (expected >= 0 requests/s)");
            }
            previous = s.at();
        }
        if (steps.stream().allMatch(s -> s.rate() == 0)) {
            throw new IllegalArgumentException("rate schedule: every rate is 0 (expected some arrivals)");
        }
    }

    /** One rate from time 0 on. */
    public static RateSchedule constant(double perSecond) {
        return new RateSchedule(List.of(new Step(0, perSecond)));
    }

    /**
     * Parses {@code TIME:RATE} points separated by commas or semicolons; a time is seconds with an
     * optional unit ({@code 90}, {@code 90s}, {@code 1.5m}, {@code 500ms}, {@code 1h}).
     */
    public static RateSchedule parse(String text) {
        List<Step> steps = new ArrayList<>();
        for (String point : text.split("[,;]")) {
            String p = point.strip();
            int colon = p.indexOf(':');
            if (colon <= 0 || colon == p.length() - 1) {
                throw new IllegalArgumentException("rate schedule: '" + p + "' in '" + text
                        + "' (expected TIME:RATE, e.g. 0s:10,60s:50)");
            }
            double rate;
            try {
                rate = Double.parseDouble(p.substring(colon + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("rate schedule: rate '" + p.substring(colon + 1) + "' in '" + text
                        + "' (expected a number of requests/s)", e);
            }
            steps.add(new Step(seconds(p.substring(0, colon).strip()), rate));
        }
        return new RateSchedule(steps);
    }

    /** Seconds from {@code 90}, {@code 90s}, {@code 1.5m}, {@code 500ms} or {@code 1h}. */
    public static double seconds(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        double unit = 1;
        if (t.endsWith("ms")) {
            unit = 0.001;
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            unit = 60;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            unit = 3600;
            t = t.substring(0, t.length() - 1);
        }
        try {
            double v = Double.parseDouble(t) * unit;
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new NumberFormatException("negative or not finite");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("time '" + text + "' (expected seconds, e.g. 90, 90s, 1.5m, 500ms, 1h)", e);
        }
    }

    /** The rate at time {@code t} seconds. */
    public double rateAt(double t) {
        double rate = 0;
        for (Step s : steps) {
            if (s.at() > t) {
                break;
            }
            rate = s.rate();
        }
        return rate;
    }

    /** Expected arrivals in [0, t): the integral of the rate. */
    public double cumulative(double t) {
        double total = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.at() >= t) {
                break;
            }
            double end = i + 1 < steps.size() ? Math.min(t, steps.get(i + 1).at()) : t;
            total += s.rate() * (end - s.at());
        }
        return total;
    }

    /**
     * The time at which {@link #cumulative} reaches {@code expected}: maps a unit-rate process onto
     * this schedule. Infinity when the schedule never gets there (it ends at rate 0).
     */
    public double inverse(double expected) {
        double total = 0;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            boolean last = i + 1 == steps.size();
            double length = last ? Double.POSITIVE_INFINITY : steps.get(i + 1).at() - s.at();
            double segment = s.rate() * length;
            if (s.rate() > 0 && total + segment >= expected) {
                return s.at() + (expected - total) / s.rate();
            }
            total += last ? 0 : segment;
        }
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (Step s : steps) {
            if (!b.isEmpty()) {
                b.append(',');
            }
            b.append(TraceWriter.seconds(s.at())).append("s:").append(TraceWriter.seconds(s.rate()));
        }
        return b.toString();
    }
}
