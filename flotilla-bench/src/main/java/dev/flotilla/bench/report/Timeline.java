package dev.flotilla.bench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What happened over the run in fixed time buckets: requests started and finished, tokens
 * received. Charts read it as completions and tokens per second and requests in flight.
 * Not thread-safe.
 */
public final class Timeline {
    /** Width of a bucket: 100 ms. */
    public static final long BUCKET_NANOS = 100_000_000L;

    private long[] started = new long[64];
    private long[] finished = new long[64];
    private long[] completed = new long[64];
    private long[] tokens = new long[64];
    private int buckets;

    /** One point of the series. */
    public record Point(double seconds, double completedPerSecond, double tokensPerSecond, double inFlight) {
    }

    // the bucket index first: bucket() may grow (replace) the arrays
    void started(long nanos) {
        int b = bucket(nanos);
        started[b]++;
    }

    void finished(long nanos, boolean ok) {
        int b = bucket(nanos);
        finished[b]++;
        if (ok) {
            completed[b]++;
        }
    }

    void token(long nanos) {
        int b = bucket(nanos);
        tokens[b]++;
    }

    private int bucket(long nanos) {
        int b = (int) Math.max(0, nanos / BUCKET_NANOS);
        if (b >= started.length) {
            int size = Math.max(b + 1, started.length * 2);
            started = Arrays.copyOf(started, size);
            finished = Arrays.copyOf(finished, size);
            completed = Arrays.copyOf(completed, size);
            tokens = Arrays.copyOf(tokens, size);
        }
        buckets = Math.max(buckets, b + 1);
        return b;
    }

    /**
     * The series in points of {@code width} buckets each (at least 1): rates averaged over the
     * point, in-flight as at the point's end.
     */
    public List<Point> points(int width) {
        int w = Math.max(1, width);
        List<Point> points = new ArrayList<>();
        long inFlight = 0;
        for (int start = 0; start < buckets; start += w) {
            long done = 0;
            long toks = 0;
            int end = Math.min(buckets, start + w);
            for (int b = start; b < end; b++) {
                inFlight += started[b] - finished[b];
                done += completed[b];
                toks += tokens[b];
            }
            double seconds = (end - start) * BUCKET_NANOS / 1e9;
            points.add(new Point(end * BUCKET_NANOS / 1e9, done / seconds, toks / seconds, inFlight));
        }
        return points;
    }

    /** The series for charts: points of at least half a second, at most about 120 of them. */
    public List<Point> points() {
        return points(Math.max(5, (buckets + 119) / 120));
    }
}
