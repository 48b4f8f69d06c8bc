package dev.flotilla.planner.queue;

/** Highest arrival rate per replica (requests/s) that meets each target; the maximum rate where a target is unset. */
public record TargetRates(double ttft, double itl, double tps) {

    /** The binding rate: the lowest of the three. */
    public double binding() {
        return Math.min(ttft, Math.min(itl, tps));
    }
}
