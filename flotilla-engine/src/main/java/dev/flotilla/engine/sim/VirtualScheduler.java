package dev.flotilla.engine.sim;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * A scheduler on a manual clock: time moves only when the owner calls {@link #advanceTo},
 * {@link #advanceBy} or {@link #runUntilIdle}, which run the due events on the calling thread in
 * time order. Deterministic, so tests assert exact timestamps and a discrete-event simulator can
 * interleave its own events with the engine's ({@link #nextEventNanos}).
 */
public final class VirtualScheduler implements SimScheduler {

    /** {@link #runUntilIdle()} gives up after this many events: a simulation that never ends is a bug. */
    public static final long DEFAULT_EVENT_LIMIT = 10_000_000L;

    private final PriorityQueue<TimedEvent> queue = new PriorityQueue<>(TimedEvent.ORDER);
    private long sequence;
    private volatile long now;

    /** A clock starting at 0 ns. */
    public VirtualScheduler() {
        this(0);
    }

    public VirtualScheduler(long startNanos) {
        this.now = startNanos;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public synchronized void schedule(long atNanos, Runnable task) {
        queue.add(new TimedEvent(Math.max(atNanos, now), sequence++, task));
    }

    /** The time of the earliest pending event, if any. */
    public synchronized OptionalLong nextEventNanos() {
        TimedEvent next = queue.peek();
        return next == null ? OptionalLong.empty() : OptionalLong.of(next.atNanos());
    }

    /** Runs every event due at or before {@code nanos}, in order, then sets the clock to {@code nanos}. */
    public void advanceTo(long nanos) {
        if (nanos < now) {
            throw new IllegalArgumentException("advanceTo: " + nanos + " ns (expected >= now, " + now + " ns)");
        }
        TimedEvent event;
        while ((event = pollDue(nanos)) != null) {
            event.task().run();
        }
        synchronized (this) {
            now = nanos;
        }
    }

    /** {@link #advanceTo} the current time plus {@code duration}. */
    public void advanceBy(Duration duration) {
        advanceTo(now + duration.toNanos());
    }

    /** Runs events until none is pending, leaving the clock at the last event's time. */
    public void runUntilIdle() {
        runUntilIdle(DEFAULT_EVENT_LIMIT);
    }

    /**
     * Runs events until none is pending.
     *
     * @throws IllegalStateException if more than {@code eventLimit} events ran
     */
    public void runUntilIdle(long eventLimit) {
        long ran = 0;
        TimedEvent event;
        while ((event = pollDue(Long.MAX_VALUE)) != null) {
            if (++ran > eventLimit) {
                throw new IllegalStateException("runUntilIdle: still busy after " + eventLimit
                        + " events at " + now + " ns");
            }
            event.task().run();
        }
    }

    private synchronized TimedEvent pollDue(long limitNanos) {
        TimedEvent next = queue.peek();
        if (next == null || next.atNanos() > limitNanos) {
            return null;
        }
        queue.poll();
        now = next.atNanos();
        return next;
    }
}
