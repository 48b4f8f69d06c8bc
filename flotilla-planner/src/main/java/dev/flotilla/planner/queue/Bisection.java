package dev.flotilla.planner.queue;

import java.util.function.DoubleUnaryOperator;

/**
 * Search for the x in [lo, hi] where a monotone f reaches a target, as Inferno's analyzer does
 * (queue-analysis pkg/utils BinarySearch): both ends are evaluated first; a target beyond the
 * upper end returns hi, one before the lower end is "below the region"; otherwise at most 100
 * halvings, stopping early when f is within the relative tolerance of the target.
 */
final class Bisection {

    static final int MAX_ITERATIONS = 100;
    /** Relative difference under which both ends count as equal (a flat function). */
    private static final double FLAT = 1e-12;

    private Bisection() {
    }

    /** Where the target lies relative to [lo, hi]. */
    enum Position { BELOW, WITHIN, ABOVE }

    record Result(double x, Position position) {
    }

    static Result search(double lo, double hi, double target, double tolerance, DoubleUnaryOperator f) {
        double yLo = f.applyAsDouble(lo);
        if (within(yLo, target, tolerance)) {
            return new Result(lo, Position.WITHIN);
        }
        double yHi = f.applyAsDouble(hi);
        if (within(yHi, target, tolerance)) {
            return new Result(hi, Position.WITHIN);
        }
        if (Math.abs(yHi - yLo) <= FLAT * Math.max(Math.abs(yLo), Math.abs(yHi))) {
            // Inferno treats a flat function as decreasing and inverts the verdict; a flat latency
            // either meets the target at every rate or at none
            return target >= yLo ? new Result(hi, Position.ABOVE) : new Result(lo, Position.BELOW);
        }
        boolean increasing = yLo < yHi;
        if (increasing ? target < yLo : target > yLo) {
            return new Result(lo, Position.BELOW);
        }
        if (increasing ? target > yHi : target < yHi) {
            return new Result(hi, Position.ABOVE);
        }
        double x = lo;
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            x = 0.5 * (lo + hi);
            if (x == lo || x == hi) {
                break; // the interval cannot shrink any further
            }
            double y = f.applyAsDouble(x);
            if (within(y, target, tolerance)) {
                break;
            }
            if (increasing ? target < y : target > y) {
                hi = x;
            } else {
                lo = x;
            }
        }
        return new Result(x, Position.WITHIN);
    }

    private static boolean within(double y, double target, double tolerance) {
        if (y == target) {
            return true;
        }
        return tolerance > 0 && target != 0 && Math.abs((y - target) / target) <= tolerance;
    }
}
