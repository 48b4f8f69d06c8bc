package dev.flotilla.planner.perf;

/** Mean input (prompt) and output (generated) tokens of a request. */
public record RequestSize(double inTokens, double outTokens) {

    public RequestSize {
        if (!(inTokens >= 0) || !(outTokens >= 1)) {
            throw new IllegalArgumentException("request size: in=" + inTokens + ", out=" + outTokens
                    + " (expected: in >= 0 and out >= 1)");
        }
    }
}
