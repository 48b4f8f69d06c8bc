package dev.flotilla.bench.report;

import org.HdrHistogram.Histogram;

/**
 * Summary of one latency metric in milliseconds. Mean, standard deviation and max are exact;
 * percentiles come from an HdrHistogram of microseconds with 3 significant digits (within 0.1%),
 * each the smallest recorded value that at least that share of the samples does not exceed (so the
 * p50 of 1..100 is 50, where numpy's interpolation gives 50.5). NaN everywhere when there are no samples.
 */
public record LatencySummary(long count, double mean, double std, double median, double p50, double p90, double p95,
                             double p99, double max) {

    static final LatencySummary EMPTY = new LatencySummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Accumulates samples in nanoseconds. Not thread-safe. */
    static final class Recorder {
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

        /** The samples in microseconds, for CDF charts. */
        Histogram histogram() {
            return histogram;
        }

        LatencySummary summary() {
            if (count == 0) {
                return EMPTY;
            }
            double mean = sum / count;
            double variance = Math.max(0, sumOfSquares / count - mean * mean);
            double median = percentileMs(50);
            return new LatencySummary(count, mean / 1e6, Math.sqrt(variance) / 1e6, median, median, percentileMs(90),
                    percentileMs(95), percentileMs(99), max / 1e6);
        }

        private double percentileMs(double p) {
            return histogram.getValueAtPercentile(p) / 1000.0;
        }
    }
}
