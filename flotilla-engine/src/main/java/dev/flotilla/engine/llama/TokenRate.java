package dev.flotilla.engine.llama;

import java.time.Clock;
import java.util.Arrays;

/** Generated tokens per second over the last few seconds, in fixed time buckets (bounded memory). */
final class TokenRate {
    static final long BUCKET_MILLIS = 250;
    static final int BUCKETS = 20;
    static final double WINDOW_SECONDS = BUCKET_MILLIS * BUCKETS / 1000.0;

    private final Clock clock;
    private final long[] bucketIds = new long[BUCKETS];
    private final long[] counts = new long[BUCKETS];

    TokenRate(Clock clock) {
        this.clock = clock;
        Arrays.fill(bucketIds, Long.MIN_VALUE);
    }

    synchronized void add(int tokens) {
        long id = Math.floorDiv(clock.millis(), BUCKET_MILLIS);
        int i = Math.floorMod(id, BUCKETS);
        if (bucketIds[i] != id) {
            bucketIds[i] = id;
            counts[i] = 0;
        }
        counts[i] += tokens;
    }

    synchronized double perSecond() {
        long now = Math.floorDiv(clock.millis(), BUCKET_MILLIS);
        long sum = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketIds[i] > now - BUCKETS && bucketIds[i] <= now) {
                sum += counts[i];
            }
        }
        return sum / WINDOW_SECONDS;
    }
}
