package dev.flotilla.planner.model;

import java.util.Objects;

/**
 * A unit a model replica runs on: one card or a fixed group of cards of one {@code type}
 * (e.g. {@code 4xA100} is type {@code A100} with multiplicity 4). Capacity is counted in cards of
 * a type, cost per unit and hour (Inferno documents cents/hour; only ratios matter).
 *
 * @param memSizeGb  memory in GB (informational)
 * @param memBwGbps  memory bandwidth in GB/s (informational)
 */
public record Accelerator(String name, String type, int multiplicity, double cost, int memSizeGb, int memBwGbps,
        Power power) {

    public Accelerator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(power, "power");
    }

    /** An accelerator with only the fields the solvers use. */
    public static Accelerator of(String name, String type, int multiplicity, double cost) {
        return new Accelerator(name, type, multiplicity, cost, 0, 0, Power.UNKNOWN);
    }
}
