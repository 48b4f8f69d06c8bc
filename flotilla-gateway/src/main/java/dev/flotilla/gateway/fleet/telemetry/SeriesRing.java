package dev.flotilla.gateway.fleet.telemetry;

import java.util.Arrays;

/**
 * A bounded history of one metric: the latest {@code capacity} points (epoch millis, value) in
 * two primitive arrays used as a ring, so a point costs 16 bytes and no object. Points must be
 * appended in time order. Thread-safe (one writer, any readers).
 */
public final class SeriesRing {
    private final long[] times;
    private final double[] values;
    private int next;
    private int size;

    public SeriesRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected at least 1)");
        }
        times = new long[capacity];
        values = new double[capacity];
    }

    public int capacity() {
        return times.length;
    }

    public synchronized int size() {
        return size;
    }

    /** Adds a point, dropping the oldest when full. */
    public synchronized void append(long epochMillis, double value) {
        times[next] = epochMillis;
        values[next] = value;
        next = (next + 1) % times.length;
        size = Math.min(size + 1, times.length);
    }

    /** The points at or after {@code sinceMillis}, oldest first. */
    public synchronized Points since(long sinceMillis) {
        int start = (next - size + times.length) % times.length;
        // points are in time order, so skip the older ones from the start
        int skip = 0;
        while (skip < size && times[(start + skip) % times.length] < sinceMillis) {
            skip++;
        }
        int n = size - skip;
        long[] t = new long[n];
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int at = (start + skip + i) % times.length;
            t[i] = times[at];
            v[i] = values[at];
        }
        return new Points(t, v);
    }

    /** Points as parallel arrays, oldest first. */
    public record Points(long[] times, double[] values) {
        public int size() {
            return times.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Points p && Arrays.equals(times, p.times) && Arrays.equals(values, p.values);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(times) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Points" + Arrays.toString(times) + Arrays.toString(values);
        }
    }
}
