package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidate;
import java.util.Objects;

/**
 * What a solver gives a server: a candidate, in full ({@code replicas == candidate.replicas()}), or
 * with fewer replicas when capacity ran out and the saturation policy gave it a best-effort share.
 * A best-effort allocation keeps the candidate's ITL and TTFT (as Inferno reports them) although the
 * replicas will run saturated; {@code cost} is scaled to the replicas given.
 */
public record Allocation(Candidate candidate, int replicas, double cost, boolean bestEffort) {

    public Allocation {
        Objects.requireNonNull(candidate, "candidate");
    }

    /** The candidate in full. */
    public static Allocation of(Candidate candidate) {
        return new Allocation(candidate, candidate.replicas(), candidate.cost(), false);
    }

    /** {@code replicas} of the candidate's replicas, cost scaled accordingly. */
    public static Allocation bestEffort(Candidate candidate, int replicas) {
        double cost = candidate.replicas() == 0 ? 0 : candidate.cost() * replicas / candidate.replicas();
        return new Allocation(candidate, replicas, cost, true);
    }

    public String server() {
        return candidate.server();
    }

    public String accelerator() {
        return candidate.accelerator();
    }

    public String acceleratorType() {
        return candidate.acceleratorType();
    }

    public int batchSize() {
        return candidate.batchSize();
    }

    public double itl() {
        return candidate.itl();
    }

    public double ttft() {
        return candidate.ttft();
    }

    /** Cards of {@link #acceleratorType()} used. */
    public int units() {
        return replicas * candidate.unitsPerReplica();
    }
}
