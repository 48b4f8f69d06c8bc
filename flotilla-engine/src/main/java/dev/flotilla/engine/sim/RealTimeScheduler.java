package dev.flotilla.engine.sim;

import java.util.PriorityQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scheduler on {@link System#nanoTime()} that runs its events on one platform thread. Several
 * simulated engines may share one. Events run in (time, scheduling order): the executor only wakes
 * the thread, which then drains the due events from its own ordered queue.
 */
public final class RealTimeScheduler implements SimScheduler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RealTimeScheduler.class);

    private final PriorityQueue<TimedEvent> queue = new PriorityQueue<>(TimedEvent.ORDER);
    private final ScheduledThreadPoolExecutor executor;
    private long sequence;

    /** Starts a daemon thread called {@code threadName}. */
    public RealTimeScheduler(String threadName) {
        executor = new ScheduledThreadPoolExecutor(1,
                task -> Thread.ofPlatform().name(threadName).daemon(true).unstarted(task));
        executor.setRemoveOnCancelPolicy(true);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void schedule(long atNanos, Runnable task) {
        synchronized (queue) {
            queue.add(new TimedEvent(atNanos, sequence++, task));
        }
        executor.schedule(this::runDueEvents, Math.max(0, atNanos - nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void runDueEvents() {
        while (true) {
            TimedEvent event;
            synchronized (queue) {
                event = queue.peek();
                if (event == null || event.atNanos() > nanoTime()) {
                    return;
                }
                queue.poll();
            }
            try {
                event.task().run();
            } catch (RuntimeException e) {
                // One failing event must not stop the engines sharing this thread.
                log.error("simulated-engine event failed", e);
            }
        }
    }

    /** Stops the thread; pending events are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
