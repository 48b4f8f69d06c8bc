package dev.flotilla.engine.sim;

import java.util.Arrays;

/**
 * Generated tokens per second over the last five seconds, in 100 ms buckets so memory stays
 * constant however fast the engine runs. Not thread-safe: the engine guards it.
 */
final class TokenRate {

    private static final long BUCKET_NANOS = 100_000_000L;
    private static final int BUCKETS = 50;
    private static final double WINDOW_SECONDS = BUCKETS * BUCKET_NANOS / 1e9;

    private final long[] bucketIds = new long[BUCKETS];
    private final long[] counts = new long[BUCKETS];

    TokenRate() {
        Arrays.fill(bucketIds, Long.MIN_VALUE);
    }

    void record(long nanos, int tokens) {
        long bucket = Math.floorDiv(nanos, BUCKET_NANOS);
        int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
        if (bucketIds[slot] != bucket) {
            bucketIds[slot] = bucket;
            counts[slot] = 0;
        }
        counts[slot] += tokens;
    }

    double perSecond(long nanos) {
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
