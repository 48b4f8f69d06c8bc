package dev.flotilla.planner.model;

import java.util.Objects;

/**
 * What a server runs on now. The greedy and unlimited solvers charge a transition penalty for
 * moving away from it; an empty {@code accelerator} means the server runs nowhere yet.
 */
public record CurrentAllocation(String accelerator, int numReplicas, int maxBatch, double cost) {

    /** Nothing allocated yet. */
    public static final CurrentAllocation NONE = new CurrentAllocation("", 0, 0, 0);

    public CurrentAllocation {
        Objects.requireNonNull(accelerator, "accelerator");
    }

    public boolean isNone() {
        return accelerator.isEmpty();
    }
}
