package dev.flotilla.gateway.scheduling;

/**
 * Exponentially weighted least squares for {@code y = base + slope * x}: each new sample counts 1
 * and every older one is multiplied by {@code decay}, so the fit follows a node whose speed
 * changes (another model loaded, thermal throttling) within about {@code 1 / (1 - decay)} samples.
 * Not thread-safe: its owner locks.
 */
final class LinearFit {
    /** A fitted or assumed line. */
    record Line(double base, double slope) {
        double at(double x) {
            return base + slope * x;
        }
    }

    private final double decay;
    private double s0;
    private double sx;
    private double sy;
    private double sxx;
    private double sxy;
    private long count;

    LinearFit(double decay) {
        this.decay = decay;
    }

    void add(double x, double y) {
        s0 = decay * s0 + 1;
        sx = decay * sx + x;
        sy = decay * sy + y;
        sxx = decay * sxx + x * x;
        sxy = decay * sxy + x * y;
        count++;
    }

    /** Samples seen (not decayed). */
    long count() {
        return count;
    }

    /** The sums now, as an immutable value that readers evaluate without the owner's lock. */
    Sums sums() {
        return new Sums(s0, sx, sy, sxx, sxy, count);
    }

    /**
     * The fitted line, never negative in base or slope (time cannot shrink with more work). When
     * the samples do not vary in x (all prompts the same length, say) the slope cannot be fitted:
     * {@code priorSlope} is kept and only the base is fitted.
     */
    Line line(double priorSlope) {
        return sums().line(priorSlope);
    }

    /**
     * A fit's weighted sums at one moment. {@link #base} and {@link #slope} give the fitted line's
     * parts as primitives (what a scoring pass reads per node without allocating); {@link #line} the
     * same line as a value.
     */
    record Sums(double s0, double sx, double sy, double sxx, double sxy, long count) {
        static final Sums EMPTY = new Sums(0, 0, 0, 0, 0, 0);

        Line line(double priorSlope) {
            return new Line(base(priorSlope), slope(priorSlope));
        }

        /** Whether x varies enough to fit the slope: then the line does not depend on the prior slope. */
        boolean slopeFitted() {
            return s0 * sxx - sx * sx > 1e-9 * Math.max(1, s0 * sxx);
        }

        /** The slope before the base is clamped: fitted, or {@code priorSlope} when x does not vary. */
        private double freeSlope(double priorSlope) {
            double slope = slopeFitted() ? (s0 * sxy - sx * sy) / (s0 * sxx - sx * sx) : priorSlope;
            return Math.max(0, slope);
        }

        double base(double priorSlope) {
            double base = (sy - freeSlope(priorSlope) * sx) / s0;
            return base < 0 ? 0 : base;
        }

        double slope(double priorSlope) {
            double slope = freeSlope(priorSlope);
            if ((sy - slope * sx) / s0 < 0) {
                return sxx > 0 ? Math.max(0, sxy / sxx) : slope; // the best line through the origin
            }
            return slope;
        }
    }
}
