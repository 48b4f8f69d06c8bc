package dev.flotilla.bench;

import org.HdrHistogram.Histogram;

/**
 * What one target measured over all rounds. Latencies are in microseconds in HdrHistograms (3
 * significant digits, up to 10 minutes), so percentiles are exact to 0.1%.
 */
public final class TargetStats {
    private static final long MAX_MICROS = 600_000_000L;

    private final String name;
    private final Histogram latency = new Histogram(MAX_MICROS, 3);
    private final Histogram ttft = new Histogram(MAX_MICROS, 3);
    private final Histogram itl = new Histogram(MAX_MICROS, 3);
    private long ok;
    private long errors;
    private long outputTokens;
    private long busyNanos;
    private String firstError;

    TargetStats(String name) {
        this.name = name;
    }

    synchronized void recordSuccess(long latencyNanos, long ttftNanos, long tokens, long meanItlNanos) {
        ok++;
        latency.recordValue(clamp(latencyNanos / 1000));
        if (ttftNanos >= 0) {
            ttft.recordValue(clamp(ttftNanos / 1000));
        }
        if (meanItlNanos >= 0) {
            itl.recordValue(clamp(meanItlNanos / 1000));
        }
        outputTokens += tokens;
    }

    synchronized void recordError(String error) {
        errors++;
        if (firstError == null) {
            firstError = error;
        }
    }

    synchronized void addBusyTime(long nanos) {
        busyNanos += nanos;
    }

    private static long clamp(long micros) {
        return Math.max(1, Math.min(MAX_MICROS, micros));
    }

    public String name() {
        return name;
    }

    public synchronized long ok() {
        return ok;
    }

    public synchronized long errors() {
        return errors;
    }

    public synchronized String firstError() {
        return firstError;
    }

    /** Successful requests per second of time spent on this target. */
    public synchronized double requestsPerSecond() {
        return busyNanos == 0 ? 0 : ok / (busyNanos / 1e9);
    }

    public synchronized double outputTokensPerSecond() {
        return busyNanos == 0 ? 0 : outputTokens / (busyNanos / 1e9);
    }

    /** Latency percentile in milliseconds. */
    public synchronized double latencyMs(double percentile) {
        return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    public synchronized double ttftMs(double percentile) {
        return ttft.getTotalCount() == 0 ? Double.NaN : ttft.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Percentile of the per-request mean inter-token latency, in milliseconds. */
    public synchronized double itlMs(double percentile) {
        return itl.getTotalCount() == 0 ? Double.NaN : itl.getValueAtPercentile(percentile) / 1000.0;
    }
}
