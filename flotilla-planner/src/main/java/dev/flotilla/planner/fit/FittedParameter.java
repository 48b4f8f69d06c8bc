package dev.flotilla.planner.fit;

/**
 * A least-squares estimate with its standard error.
 *
 * @param name          the parameter's name in Inferno's JSON, e.g. {@code alpha}
 * @param value         the estimate
 * @param standardError its standard error (square root of the estimate's variance)
 */
public record FittedParameter(String name, double value, double standardError) {

    /** Standard error relative to the estimate (infinite for an estimate of 0). */
    public double relativeError() {
        return value == 0 ? Double.POSITIVE_INFINITY : Math.abs(standardError / value);
    }
}
