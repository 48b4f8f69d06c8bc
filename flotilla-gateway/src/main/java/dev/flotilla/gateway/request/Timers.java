package dev.flotilla.gateway.request;

import io.vertx.core.Vertx;

/** One-shot timers for the request path's timeouts (Vert.x timers in the gateway, a fake in tests). */
public interface Timers {
    /** Runs the action once after the delay; returns an id for {@link #cancel}. */
    long schedule(long delayMillis, Runnable action);

    void cancel(long id);

    /**
     * Vert.x timers of whichever Vert.x runs the calling thread's context (for a pipeline built
     * without one; requests always run on an event loop).
     */
    static Timers current() {
        return new Timers() {
            @Override
            public long schedule(long delayMillis, Runnable action) {
                return io.vertx.core.Vertx.currentContext().owner().setTimer(Math.max(1, delayMillis), id -> action.run());
            }

            @Override
            public void cancel(long id) {
                io.vertx.core.Vertx.currentContext().owner().cancelTimer(id);
            }
        };
    }

    /** Vert.x timers: a timer set from an event loop fires on that loop, so request state stays confined. */
    static Timers of(Vertx vertx) {
        return new Timers() {
            @Override
            public long schedule(long delayMillis, Runnable action) {
                return vertx.setTimer(Math.max(1, delayMillis), id -> action.run());
            }

            @Override
            public void cancel(long id) {
                vertx.cancelTimer(id);
            }
        };
    }
}
