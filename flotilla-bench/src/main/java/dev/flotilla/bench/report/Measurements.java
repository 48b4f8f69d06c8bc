package dev.flotilla.bench.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the results of a run, live or simulated, as they come: latency histograms (TTFT, time
 * per output token, every inter-token gap, end-to-end), token counts, errors by kind, the timeline
 * and each request's result. {@link BenchReport#of} turns it into the report. Not thread-safe: feed
 * it from one thread (the live bench feeds it from its event loop).
 */
public final class Measurements {
    private final LatencySummary.Recorder ttft = new LatencySummary.Recorder();
    private final LatencySummary.Recorder tpot = new LatencySummary.Recorder();
    private final LatencySummary.Recorder itl = new LatencySummary.Recorder();
    private final LatencySummary.Recorder e2el = new LatencySummary.Recorder();
    private final Timeline timeline = new Timeline();
    private final List<RequestResult> results = new ArrayList<>();
    private final Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
    private final Map<ErrorKind, String> errorExamples = new EnumMap<>(ErrorKind.class);
    private final Map<Integer, Long> httpStatuses = new TreeMap<>();
    private long completed;
    private long failed;
    private long cancelled;
    private long inputTokens;
    private long outputTokens;
    private long usageMissing;
    private long lastEndNanos;

    /**
     * A completed request and the gaps between its content chunks, in order (one fewer than the
     * chunks). The chunk times go into the timeline as tokens.
     */
    public void add(RequestResult.Completed r, long[] itlNanos) {
        completed++;
        results.add(r);
        ttft.record(r.ttftNanos());
        e2el.record(r.e2elNanos());
        if (r.outputTokens() > 1) {
            tpot.record(r.tpotNanos());
        }
        long t = r.sentNanos() + r.ttftNanos();
        timeline.started(r.sentNanos());
        timeline.token(t);
        for (long gap : itlNanos) {
            itl.record(gap);
            t += gap;
            timeline.token(t);
        }
        long end = r.sentNanos() + r.e2elNanos();
        timeline.finished(end, true);
        lastEndNanos = Math.max(lastEndNanos, end);
        inputTokens += Math.max(0, r.promptTokens());
        outputTokens += r.outputTokens();
        if (!r.usageReported()) {
            usageMissing++;
        }
    }

    /** A failed request. */
    public void add(RequestResult.Failed r) {
        failed++;
        results.add(r);
        errors.merge(r.kind(), 1L, Long::sum);
        errorExamples.putIfAbsent(r.kind(), r.detail());
        if (r.httpStatus() != 0) {
            httpStatuses.merge(r.httpStatus(), 1L, Long::sum);
        }
        timeline.started(r.sentNanos());
        long end = r.sentNanos() + r.elapsedNanos();
        timeline.finished(end, false);
        lastEndNanos = Math.max(lastEndNanos, end);
    }

    /** A request that was in flight when the run was cancelled: neither completed nor failed. */
    public void cancelled() {
        cancelled++;
    }

    public long completed() {
        return completed;
    }

    public long failed() {
        return failed;
    }

    public long cancelledCount() {
        return cancelled;
    }

    long inputTokens() {
        return inputTokens;
    }

    long outputTokens() {
        return outputTokens;
    }

    long usageMissing() {
        return usageMissing;
    }

    /** When the last request ended, from the start of the run. */
    public long lastEndNanos() {
        return lastEndNanos;
    }

    LatencySummary.Recorder ttft() {
        return ttft;
    }

    LatencySummary.Recorder tpot() {
        return tpot;
    }

    LatencySummary.Recorder itl() {
        return itl;
    }

    LatencySummary.Recorder e2el() {
        return e2el;
    }

    public Timeline timeline() {
        return timeline;
    }

    /** Every completed and failed request, in the order they ended. */
    public List<RequestResult> results() {
        return Collections.unmodifiableList(results);
    }

    Map<ErrorKind, Long> errors() {
        return new EnumMap<>(errors);
    }

    Map<String, String> errorExamples() {
        Map<String, String> m = new LinkedHashMap<>();
        errorExamples.forEach((k, v) -> m.put(k.label(), v));
        return m;
    }

    Map<Integer, Long> httpStatuses() {
        return new TreeMap<>(httpStatuses);
    }
}
