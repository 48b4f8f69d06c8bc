package dev.flotilla.gateway.fleet.telemetry;

/**
 * Per-second rate of a counter between two readings. A counter that went down was reset (the
 * engine restarted), so it counted from zero since: the rate is then the new value over the
 * interval, as Prometheus' {@code rate()} assumes.
 */
public final class CounterRate {
    private CounterRate() {
    }

    /**
     * @return the rate, or NaN when either reading is unknown or the interval is not positive
     */
    public static double perSecond(double previous, long previousMillis, double current, long currentMillis) {
        long dt = currentMillis - previousMillis;
        if (Double.isNaN(previous) || Double.isNaN(current) || dt <= 0) {
            return Double.NaN;
        }
        double increase = current >= previous ? current - previous : current;
        return increase * 1000.0 / dt;
    }
}
