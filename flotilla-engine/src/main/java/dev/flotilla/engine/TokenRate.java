package dev.flotilla.engine;

import java.util.Arrays;

/**
 * Generated tokens per second over the last {@value #WINDOW_SECONDS} seconds, counted in fixed
 * 100 ms buckets so that memory stays constant however fast an engine runs. Times are nanoseconds
 * from whatever clock the engine runs on (wall clock, or the simulator's virtual time).
 */
public final class TokenRate {
    public static final long BUCKET_NANOS = 100_000_000L;
    public static final int BUCKETS = 50;
    public static final double WINDOW_SECONDS = BUCKETS * BUCKET_NANOS / 1e9;

    private final long[] bucketIds = new long[BUCKETS];
    private final long[] counts = new long[BUCKETS];

    public TokenRate() {
        Arrays.fill(bucketIds, Long.MIN_VALUE);
    }

    public synchronized void record(long nanos, int tokens) {
        long bucket = Math.floorDiv(nanos, BUCKET_NANOS);
        int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
        if (bucketIds[slot] != bucket) {
            bucketIds[slot] = bucket;
            counts[slot] = 0;
        }
        counts[slot] += tokens;
    }

    public synchronized double perSecond(long nanos) {
        long current = Math.floorDiv(nanos, BUCKET_NANOS);
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketIds[i] <= current && bucketIds[i] > current - BUCKETS) {
                sum += counts[i];
            }
        }
        return sum / WINDOW_SECONDS;
    }
}
