package dev.flotilla.planner.queue;

import java.util.function.DoubleUnaryOperator;

/**
 * Search for the highest x in [lo, hi] at which a monotone latency f(x) stays within a target, by
 * bisection as Inferno's analyzer does (queue-analysis pkg/utils BinarySearch): both ends are
 * evaluated first; at most 100 halvings follow, stopping early when f is within the relative
 * tolerance of the target.
 *
 * <p>One deliberate difference: Inferno's search inverts its verdict when f does not increase (it
 * answers "infeasible" where the target is met everywhere and "the highest rate" where it is met
 * nowhere). That happens with batch limit 1, where the latency does not depend on the rate, or even
 * decreases slightly in the iteration model's formulas. Here a non-increasing latency meets the
 * target everywhere if it meets it at {@code hi}, and nowhere otherwise.
 */
final class Bisection {

    static final int MAX_ITERATIONS = 100;

    /**
     * Relative rise under which f counts as not increasing: rounding noise alone would otherwise
     * make a flat latency look increasing.
     */
    static final double FLAT = 1e-9;

    private Bisection() {
    }

    /** Where the target lies relative to f over [lo, hi]. */
    enum Position {
        /** f exceeds the target everywhere: no rate meets it. */
        BELOW,
        /** f crosses the target at x. */
        WITHIN,
        /** f meets the target everywhere: x is hi. */
        ABOVE
    }

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
        boolean increasing = yHi - yLo > FLAT * Math.max(Math.abs(yLo), Math.abs(yHi));
        if (!increasing) {
            return yHi <= target ? new Result(hi, Position.ABOVE) : new Result(lo, Position.BELOW);
        }
        if (target < yLo) {
            return new Result(lo, Position.BELOW);
        }
        if (target > yHi) {
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
            if (target < y) {
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
