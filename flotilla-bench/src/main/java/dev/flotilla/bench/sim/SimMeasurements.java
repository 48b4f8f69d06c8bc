package dev.flotilla.bench.sim;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects a run's figures as requests finish: latency recorders (fed per token without
 * allocating), counts, token totals and rejections. Single-threaded, like the simulation.
 */
final class SimMeasurements {
    final LatencyStats.Recorder ttft = new LatencyStats.Recorder();
    final LatencyStats.Recorder tpot = new LatencyStats.Recorder();
    final LatencyStats.Recorder itl = new LatencyStats.Recorder();
    final LatencyStats.Recorder e2el = new LatencyStats.Recorder();
    private final SloTargets slo;
    private final Map<SimResult.RejectReason, Long> rejections = new EnumMap<>(SimResult.RejectReason.class);
    private final Map<SimResult.RejectReason, String> examples = new EnumMap<>(SimResult.RejectReason.class);
    long offered;
    long completed;
    long failed;
    long good;
    long inputTokens;
    long outputTokens;
    long firstSentNanos = -1;
    long lastEndNanos;

    SimMeasurements(SloTargets slo) {
        this.slo = slo;
    }

    SloTargets slo() {
        return slo;
    }

    void sent(long nanos) {
        offered++;
        if (firstSentNanos < 0) {
            firstSentNanos = nanos;
        }
    }

    void completed(SimResult.Completed r) {
        completed++;
        ttft.record(r.ttftNanos());
        e2el.record(r.e2elNanos());
        double tpotNanos = r.tpotNanos();
        if (r.outputTokens() > 1) {
            tpot.record(tpotNanos);
        }
        inputTokens += r.promptTokens();
        outputTokens += r.outputTokens();
        if (slo.isSet() && slo.met(r.ttftNanos(), tpotNanos, r.e2elNanos())) {
            good++;
        }
        lastEndNanos = Math.max(lastEndNanos, r.request().arrivalNanos() + r.e2elNanos());
    }

    void rejected(SimResult.Rejected r) {
        failed++;
        rejections.merge(r.reason(), 1L, Long::sum);
        examples.putIfAbsent(r.reason(), r.detail());
        lastEndNanos = Math.max(lastEndNanos, r.atNanos());
    }

    /** Rejections by reason label, in the reasons' order. */
    Map<String, Long> errors() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        rejections.forEach((k, v) -> m.put(k.label(), v));
        return m;
    }

    Map<String, String> errorExamples() {
        Map<String, String> m = new TreeMap<>();
        examples.forEach((k, v) -> m.put(k.label(), v));
        return m;
    }

    /** Rejections by the HTTP status a client of the live gateway would have got. */
    Map<Integer, Long> httpStatuses() {
        Map<Integer, Long> m = new TreeMap<>();
        rejections.forEach((k, v) -> m.merge(k.httpStatus(), v, Long::sum));
        return m;
    }

    /** Seconds from the first request's arrival to the last one's end (0 without requests). */
    double durationSeconds() {
        return firstSentNanos < 0 ? 0 : (lastEndNanos - firstSentNanos) / 1e9;
    }
}
