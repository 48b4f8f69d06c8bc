package dev.flotilla.engine.sim;

import java.util.Comparator;

/** A scheduled task; {@code sequence} keeps events of equal time in the order they were scheduled. */
record TimedEvent(long atNanos, long sequence, Runnable task) {
    static final Comparator<TimedEvent> ORDER =
            Comparator.comparingLong(TimedEvent::atNanos).thenComparingLong(TimedEvent::sequence);
}
