package dev.flotilla.engine.sim;

/**
 * The clock and event scheduler a {@link SimulatedEngine} runs on: real time for a product node,
 * virtual time for tests and the discrete-event simulator. Events run one at a time, in order of
 * their time, ties in the order they were scheduled.
 */
public interface SimScheduler {

    /** The current time in nanoseconds on this scheduler's monotonic clock. */
    long nanoTime();

    /** Runs {@code task} at {@code atNanos} on this scheduler's clock (at once if that is in the past). */
    void schedule(long atNanos, Runnable task);
}
