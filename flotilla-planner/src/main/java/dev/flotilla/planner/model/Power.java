package dev.flotilla.planner.model;

/**
 * Power draw of an accelerator in watts: idle, at full load, and at an inflection point
 * ({@code midPower} at utilisation {@code midUtil}). Carried through from Inferno's input; the
 * cost-based solvers do not use it.
 */
public record Power(double idle, double full, double midPower, double midUtil) {

    /** No power figures given. */
    public static final Power UNKNOWN = new Power(0, 0, 0, 0);
}
