package dev.flotilla.planner.model;

import java.util.Objects;

/**
 * Service-level objectives of a class for one model; 0 means "not set".
 *
 * @param sloItl  mean inter-token latency, ms
 * @param sloTtft mean time to first token including queueing, ms
 * @param sloTps  token throughput to provision for, tokens/s (replaces the server's arrival rate
 *                when set)
 */
public record ModelTarget(String model, double sloItl, double sloTtft, double sloTps) {

    public ModelTarget {
        Objects.requireNonNull(model, "model");
    }
}
