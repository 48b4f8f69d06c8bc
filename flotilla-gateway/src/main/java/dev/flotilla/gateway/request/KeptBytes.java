package dev.flotilla.gateway.request;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that all of a gateway's streams keep for a possible continuation ({@link Continuation}),
 * held to one limit across event loops: each stream is capped at {@link Continuation#MAX_KEPT_BYTES},
 * and without a total many long streams at once would fill the heap (a streamed token is about 180
 * bytes of SSE). A stream that cannot take room for its next chunk stops keeping, gives its room
 * back and is not continued if its node fails; nothing else about it changes. A counter and a limit:
 * an {@link AtomicLong} is all it needs, no library fits it better.
 */
public final class KeptBytes {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public KeptBytes(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected >= 0)");
        }
        this.limit = limit;
    }

    /** A quarter of this JVM's maximum heap, the default. */
    public static KeptBytes quarterOfHeap() {
        return new KeptBytes(Runtime.getRuntime().maxMemory() / 4);
    }

    /** Takes room for {@code bytes} more, or nothing when that would exceed the limit. */
    boolean tryTake(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    /** Gives back room taken before. */
    void give(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes kept now across the gateway. */
    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }
}
