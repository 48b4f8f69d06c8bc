package dev.flotilla.bench.sim;

import org.HdrHistogram.Histogram;

/**
 * Summary of one latency metric in milliseconds, computed as {@code flotilla bench} computes it:
 * mean, standard deviation and max exact; percentiles from an HdrHistogram of microseconds with 3
 * significant digits, each the smallest recorded value that at least that share of the samples
 * does not exceed. NaN everywhere when there are no samples.
 */
public record LatencyStats(long count, double mean, double std, double median, double p50, double p90, double p95,
                           double p99, double max) {

    static final LatencyStats EMPTY = new LatencyStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN);

    /** Accumulates samples in nanoseconds without allocating per sample. Not thread-safe. */
    static final class Recorder {
        /** An hour: longer samples are recorded as an hour in the histogram (exact in mean and max). */
        private static final long MAX_MICROS = 3_600_000_000L;
        private final Histogram histogram = new Histogram(MAX_MICROS, 3);
        private long count;
        private double sum;
        private double sumOfSquares;
        private double max;

        void record(double nanos) {
            double v = Math.max(0, nanos);
            count++;
            sum += v;
            sumOfSquares += v * v;
            max = Math.max(max, v);
            histogram.recordValue(Math.min(MAX_MICROS, Math.round(v / 1000)));
        }

        long count() {
            return count;
        }

        LatencyStats stats() {
            if (count == 0) {
                return EMPTY;
            }
            double mean = sum / count;
            double variance = Math.max(0, sumOfSquares / count - mean * mean);
            double median = percentileMs(50);
            return new LatencyStats(count, mean / 1e6, Math.sqrt(variance) / 1e6, median, median, percentileMs(90),
                    percentileMs(95), percentileMs(99), max / 1e6);
        }

        private double percentileMs(double p) {
            return histogram.getValueAtPercentile(p) / 1000.0;
        }
    }
}
