package dev.flotilla.planner.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What the greedy solver does with servers whose SLOs cannot be met with the capacity left
 * (Inferno's saturation policies). Those servers then get fewer replicas than they need, so they
 * run saturated ("best effort").
 */
public enum SaturationPolicy {
    /** Leave them without an allocation. */
    NONE("None"),
    /** In priority order, one server at a time, as many replicas as fit (up to what it needs). */
    PRIORITY_EXHAUSTIVE("PriorityExhaustive"),
    /** One replica at a time to each server in turn, within each priority group in priority order. */
    PRIORITY_ROUND_ROBIN("PriorityRoundRobin"),
    /** One replica at a time to each server in turn, across all of them. */
    ROUND_ROBIN("RoundRobin");

    private final String infernoName;

    SaturationPolicy(String infernoName) {
        this.infernoName = infernoName;
    }

    /** The spelling in Inferno's {@code optimizer-data.json}, e.g. {@code PriorityRoundRobin}. */
    public String infernoName() {
        return infernoName;
    }

    /** The kebab-case spelling in Flotilla's YAML, e.g. {@code priority-round-robin}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses either spelling, ignoring case; empty if it names no policy. */
    public static Optional<SaturationPolicy> parse(String text) {
        String t = text.strip();
        return Arrays.stream(values())
                .filter(p -> p.infernoName.equalsIgnoreCase(t) || p.yamlName().equalsIgnoreCase(t)
                        || p.name().equalsIgnoreCase(t))
                .findFirst();
    }
}
