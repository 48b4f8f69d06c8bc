package dev.flotilla.planner.model;

import java.util.Objects;

/**
 * How to solve: {@code unlimited} capacity (each server its cheapest candidate) or limited
 * capacity (Inferno's greedy), or an exact MILP when {@code milp} is set;
 * {@code heterogeneous} lets one server mix accelerator types (MILP only);
 * {@code delayedBestEffort} gives best-effort allocations only after every priority group had its
 * turn; {@code saturationPolicy} says what servers that do not fit get.
 */
public record OptimizerSettings(boolean unlimited, boolean heterogeneous, boolean milp, boolean useCplex,
        boolean delayedBestEffort, SaturationPolicy saturationPolicy) {

    /** Inferno's defaults: limited capacity, greedy, no best effort. */
    public static final OptimizerSettings DEFAULT =
            new OptimizerSettings(false, false, false, false, false, SaturationPolicy.NONE);

    public OptimizerSettings {
        Objects.requireNonNull(saturationPolicy, "saturationPolicy");
    }

    public OptimizerSettings withUnlimited(boolean value) {
        return new OptimizerSettings(value, heterogeneous, milp, useCplex, delayedBestEffort, saturationPolicy);
    }

    public OptimizerSettings withSaturationPolicy(SaturationPolicy value) {
        return new OptimizerSettings(unlimited, heterogeneous, milp, useCplex, delayedBestEffort, value);
    }

    public OptimizerSettings withDelayedBestEffort(boolean value) {
        return new OptimizerSettings(unlimited, heterogeneous, milp, useCplex, value, saturationPolicy);
    }
}
