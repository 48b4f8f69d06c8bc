package dev.flotilla.gateway.scheduling;

/** Min-max normalisation across the candidates of one request, shared by the load scorers. */
final class Normalise {
    private Normalise() {
    }

    /**
     * Writes {@code (max - v) / (max - min)} for each value (the smallest scores 1, the largest 0),
     * 1 for all when they are equal, NaN where the value is NaN (ignored for min and max).
     * {@code scores} may be {@code values} itself (each value is read before its score is written).
     */
    static void lowerIsBetter(double[] values, double[] scores) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        double range = max - min;
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            scores[i] = Double.isNaN(v) ? Double.NaN : range > 0 ? (max - v) / range : 1;
        }
    }
}
