package dev.flotilla.planner.candidate;

import java.util.Objects;

/**
 * One feasible way to run a server on one accelerator: enough replicas, each with batch limit
 * {@code batchSize}, that every replica meets the server's SLOs at its share of the load.
 *
 * <p>This is the unit the solvers choose from (one candidate per server; a MILP may choose among
 * them under capacity limits).
 *
 * @param server            server name
 * @param accelerator       accelerator name, e.g. {@code 2xA100}
 * @param acceleratorType   the card type counted against capacity, e.g. {@code A100}
 * @param replicas          replicas needed (0 only for an idle server without a minimum)
 * @param batchSize         batch limit per replica
 * @param unitsPerReplica   cards of {@code acceleratorType} one replica occupies
 *                          ({@code accCount * multiplicity})
 * @param cost              accelerator cost of all replicas ({@code cost * accCount * replicas})
 * @param value             Inferno's figure of merit: the cost of moving from the server's current
 *                          allocation to this one (see {@link Candidates#transitionPenalty})
 * @param itl               predicted mean inter-token latency at the real per-replica load, ms
 * @param ttft              predicted mean time to first token at the real per-replica load, ms
 * @param maxRatePerReplica highest request rate one replica may take and still meet every SLO,
 *                          requests/s
 * @param rho               predicted mean batch occupancy per replica, as a share of the batch limit
 */
public record Candidate(String server, String accelerator, String acceleratorType, int replicas, int batchSize,
        int unitsPerReplica, double cost, double value, double itl, double ttft, double maxRatePerReplica,
        double rho) {

    public Candidate {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(accelerator, "accelerator");
        Objects.requireNonNull(acceleratorType, "acceleratorType");
    }

    /** Cards of {@link #acceleratorType()} all replicas occupy. */
    public int units() {
        return replicas * unitsPerReplica;
    }

    /** Accelerator cost of one replica. */
    public double costPerReplica() {
        return replicas == 0 ? 0 : cost / replicas;
    }
}
