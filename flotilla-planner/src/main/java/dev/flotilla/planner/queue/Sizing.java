package dev.flotilla.planner.queue;

/** Outcome of sizing a replica for targets: the rates that meet them, or why none does. */
public sealed interface Sizing {

    /**
     * Targets met up to the binding rate; {@code atBinding} is the replica's performance there, and
     * its {@code throughput} is the most one replica should be given.
     */
    record Feasible(TargetRates rates, QueueMetrics atBinding) implements Sizing {
    }

    /** No arrival rate meets a target, e.g. a lone request's latency already exceeds it. */
    record Infeasible(String reason) implements Sizing {
    }
}
