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

    /**
     * The fitted line, never negative in base or slope (time cannot shrink with more work). When
     * the samples do not vary in x (all prompts the same length, say) the slope cannot be fitted:
     * {@code priorSlope} is kept and only the base is fitted.
     */
    Line line(double priorSlope) {
        double spread = s0 * sxx - sx * sx;
        double slope = spread > 1e-9 * Math.max(1, s0 * sxx) ? (s0 * sxy - sx * sy) / spread : priorSlope;
        slope = Math.max(0, slope);
        double base = (sy - slope * sx) / s0;
        if (base < 0) {
            base = 0;
            slope = sxx > 0 ? Math.max(0, sxy / sxx) : slope; // the best line through the origin
        }
        return new Line(base, slope);
    }
}
