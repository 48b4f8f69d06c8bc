package dev.flotilla.planner.model;

/**
 * Traffic of one server: {@code arrivalRate} in requests per minute (Inferno's unit) and the mean
 * input and output lengths of a request in tokens.
 */
public record Load(double arrivalRate, int avgInTokens, int avgOutTokens) {

    /** Arrival rate in requests per second. */
    public double requestsPerSecond() {
        return arrivalRate / 60.0;
    }

    /** True when there is nothing to serve (no requests, or requests that produce no tokens). */
    public boolean idle() {
        return arrivalRate == 0 || avgOutTokens == 0;
    }
}
