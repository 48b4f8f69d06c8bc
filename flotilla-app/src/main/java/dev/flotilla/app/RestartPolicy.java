package dev.flotilla.app;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When {@code flotilla up} starts a child that exited again: after a delay that doubles with each
 * restart since the child last ran stably (from {@code initialDelay} up to {@code maxDelay}; a run
 * of at least {@code stableAfter} resets it), and not at all once the child has exited more than
 * {@code maxRestarts} times within {@code window}: a child that keeps crashing is left down. Pure:
 * it reads a child's recent runs and answers; the supervisor owns time and processes.
 *
 * @param initialDelay the delay before a restart after a stable run (and before the first restart)
 * @param maxDelay     the cap of the doubling delay
 * @param stableAfter  a run at least this long counts as stable and resets the delay
 * @param maxRestarts  restarts allowed within {@code window}; the exit that would need one more is
 *                     final. 0 never restarts
 * @param window       the sliding window over which exits are counted
 */
record RestartPolicy(Duration initialDelay, Duration maxDelay, Duration stableAfter, int maxRestarts,
                     Duration window) {
    static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(500);
    static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_RESTARTS = 5;
    static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    static final int MAX_RESTARTS_LIMIT = 1000;
    /** Beyond this many quick exits in a row the delay is at its cap for any sane setting (2^20). */
    private static final int MAX_DOUBLINGS = 20;

    RestartPolicy {
        if (initialDelay == null || initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay: " + initialDelay + " (expected a positive duration)");
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay: " + maxDelay + " (expected at least initialDelay, " + initialDelay + ")");
        }
        if (stableAfter == null || stableAfter.isNegative() || stableAfter.isZero()) {
            throw new IllegalArgumentException("stableAfter: " + stableAfter + " (expected a positive duration)");
        }
        if (maxRestarts < 0 || maxRestarts > MAX_RESTARTS_LIMIT) {
            throw new IllegalArgumentException("maxRestarts: " + maxRestarts + " (expected 0 to " + MAX_RESTARTS_LIMIT + ")");
        }
        if (window == null || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window: " + window + " (expected a positive duration)");
        }
    }

    /** The default backoff (0.5 s doubling to 30 s, reset after 30 s up) with this crash-loop limit. */
    static RestartPolicy of(int maxRestarts, Duration window) {
        return new RestartPolicy(DEFAULT_INITIAL_DELAY, DEFAULT_MAX_DELAY, DEFAULT_STABLE_AFTER, maxRestarts, window);
    }

    /** One run of a child: when it was started and when it exited (a failed start is a short run). */
    record Run(Instant started, Instant exited) {
        Duration lasted() {
            return Duration.between(started, exited);
        }
    }

    /** What to do after an exit. */
    sealed interface Decision permits Restart, GiveUp {
    }

    /**
     * Start the child again after {@code delay}.
     *
     * @param attempt which restart this is since the child last ran stably (1 right after a stable
     *                run, or after its first run), counted over the runs a supervisor keeps, so it stops
     *                growing at {@code historyNeeded()}
     */
    record Restart(int attempt, Duration delay) implements Decision {
    }

    /** Leave the child down: it exited {@code exits} times within {@code window}. */
    record GiveUp(int exits, Duration window) implements Decision {
    }

    /** The runs a supervisor has to keep per child for {@link #decide} to see all it needs. */
    int historyNeeded() {
        return Math.max(maxRestarts + 1, MAX_DOUBLINGS + 1);
    }

    /**
     * Decides after an exit, from the child's runs oldest first, the last one being the run that
     * has just ended; older runs beyond {@link #historyNeeded()} change nothing.
     */
    Decision decide(List<Run> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("runs: empty (expected at least the run that has just ended)");
        }
        Instant now = runs.getLast().exited();
        Instant windowStart = now.minus(window);
        int exitsInWindow = 0;
        for (Run r : runs) {
            if (r.exited().isAfter(windowStart)) {
                exitsInWindow++;
            }
        }
        if (exitsInWindow > maxRestarts) {
            return new GiveUp(exitsInWindow, window);
        }
        // the restarts since the child last ran stably: that run's exit is the first, each quick exit after it one more
        int attempt = 0;
        for (Run r : runs.reversed()) {
            attempt++;
            if (r.lasted().compareTo(stableAfter) >= 0 || attempt == historyNeeded()) {
                break;
            }
        }
        return new Restart(attempt, delay(attempt));
    }

    private Duration delay(int attempt) {
        int doublings = Math.min(attempt - 1, MAX_DOUBLINGS);
        Duration d = initialDelay.multipliedBy(1L << doublings);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
