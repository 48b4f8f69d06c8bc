package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Passive latency-outlier detection: per node and model, a bounded window of recent time-to-first-token
 * samples (at most {@link #MAX_SAMPLES}, none older than {@code health.outlierWindow}); a node is an
 * outlier for a model when the median of its window exceeds {@code health.outlierFactor} times the
 * median of its peers' medians for that model. Only nodes with at least {@code health.outlierMinSamples}
 * samples count, and at least two such peers are needed: with fewer there is no fleet to compare
 * against. A node already judged slow recovers only below {@link #RECOVERY_RATIO} of the factor
 * (hysteresis, so a node near the line does not flap). Time comes from the injected clock.
 * Thread-safe (one lock: samples are few and the work per call is small).
 */
final class LatencyOutliers {
    /** Most samples kept per node and model. */
    static final int MAX_SAMPLES = 50;
    /** A slow node recovers below this fraction of {@code outlierFactor} × fleet. */
    static final double RECOVERY_RATIO = 0.8;
    /** Peers with enough samples needed before a node is judged at all. */
    static final int MIN_PEERS = 2;

    private final double factor;
    private final int minSamples;
    private final long windowMillis;
    private final Clock clock;
    /** node → model → samples, oldest first. */
    private final Map<String, Map<String, ArrayDeque<Sample>>> samples = new HashMap<>();

    LatencyOutliers(GatewayConfig.Health rules, Clock clock) {
        this(rules.outlierFactor(), rules.outlierMinSamples(), rules.outlierWindow(), clock);
    }

    LatencyOutliers(double factor, int minSamples, Duration window, Clock clock) {
        this.factor = factor;
        this.minSamples = minSamples;
        this.windowMillis = window.toMillis();
        this.clock = clock;
    }

    /** What the samples say about one node. */
    sealed interface Verdict {
        /** The reason for the log line and the transition. */
        String reason();

        /** The node is an outlier for this model. */
        record Slow(String model, double nodeMillis, double fleetMillis) implements Verdict {
            @Override
            public String reason() {
                return String.format(Locale.ROOT, "latency outlier: p50 TTFB %.0f ms vs fleet %.0f ms (model %s)",
                        nodeMillis, fleetMillis, model);
            }
        }

        /** The node is within bounds for every model it could be compared on (or there was nothing to compare). */
        record Normal() implements Verdict {
            @Override
            public String reason() {
                return "latency within bounds of the fleet";
            }
        }
    }

    /** Records one request's time to first token on the node for the model. */
    synchronized void record(String node, String model, Duration timeToFirstToken) {
        ArrayDeque<Sample> q = samples.computeIfAbsent(node, n -> new HashMap<>())
                .computeIfAbsent(model, m -> new ArrayDeque<>());
        q.addLast(new Sample(clock.millis(), timeToFirstToken.toNanos() / 1e6));
        if (q.size() > MAX_SAMPLES) {
            q.removeFirst();
        }
    }

    /** Drops every sample of a node that has left the fleet (it is no longer anyone's peer). */
    synchronized void forget(String node) {
        samples.remove(node);
    }

    /**
     * Judges the node against its peers.
     *
     * @param node    the node to judge
     * @param wasSlow whether it is currently judged slow (then the lower recovery threshold applies)
     * @param peerUp  which other nodes count as peers (those passing their checks)
     */
    synchronized Verdict assess(String node, boolean wasSlow, Predicate<String> peerUp) {
        long now = clock.millis();
        Map<String, ArrayDeque<Sample>> own = samples.get(node);
        if (own == null) {
            return new Verdict.Normal();
        }
        double threshold = wasSlow ? factor * RECOVERY_RATIO : factor;
        for (Map.Entry<String, ArrayDeque<Sample>> e : own.entrySet()) {
            double mine = median(e.getValue(), now);
            if (Double.isNaN(mine)) {
                continue;
            }
            List<Double> peers = new ArrayList<>();
            for (Map.Entry<String, Map<String, ArrayDeque<Sample>>> other : samples.entrySet()) {
                if (other.getKey().equals(node) || !peerUp.test(other.getKey())) {
                    continue;
                }
                ArrayDeque<Sample> q = other.getValue().get(e.getKey());
                double m = q == null ? Double.NaN : median(q, now);
                if (!Double.isNaN(m)) {
                    peers.add(m);
                }
            }
            if (peers.size() < MIN_PEERS) {
                continue;
            }
            double fleet = median(peers.stream().mapToDouble(Double::doubleValue).toArray());
            boolean slow = wasSlow ? mine >= threshold * fleet : mine > threshold * fleet;
            if (slow) {
                return new Verdict.Slow(e.getKey(), mine, fleet);
            }
        }
        return new Verdict.Normal();
    }

    /** The median of the node's samples for the model in the window, NaN with too few (for the admin view and tests). */
    synchronized double medianMillis(String node, String model) {
        Map<String, ArrayDeque<Sample>> own = samples.get(node);
        ArrayDeque<Sample> q = own == null ? null : own.get(model);
        return q == null ? Double.NaN : median(q, clock.millis());
    }

    /**
     * The node's median time to first token per model over the window in ms, for the models with
     * enough samples (the admin view: why a node is, or is not, judged slow).
     */
    synchronized Map<String, Double> medians(String node) {
        Map<String, ArrayDeque<Sample>> own = samples.get(node);
        if (own == null) {
            return Map.of();
        }
        long now = clock.millis();
        Map<String, Double> out = new java.util.TreeMap<>();
        for (Map.Entry<String, ArrayDeque<Sample>> e : own.entrySet()) {
            double m = median(e.getValue(), now);
            if (!Double.isNaN(m)) {
                out.put(e.getKey(), m);
            }
        }
        return out;
    }

    /**
     * Per model, the median of the medians of the nodes that pass {@code counted}: the fleet figure
     * a node is compared with (models with fewer than {@link #MIN_PEERS} such nodes are left out).
     */
    synchronized Map<String, Double> fleetMedians(Predicate<String> counted) {
        long now = clock.millis();
        Map<String, List<Double>> perModel = new java.util.TreeMap<>();
        for (Map.Entry<String, Map<String, ArrayDeque<Sample>>> node : samples.entrySet()) {
            if (!counted.test(node.getKey())) {
                continue;
            }
            for (Map.Entry<String, ArrayDeque<Sample>> e : node.getValue().entrySet()) {
                double m = median(e.getValue(), now);
                if (!Double.isNaN(m)) {
                    perModel.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(m);
                }
            }
        }
        Map<String, Double> out = new java.util.TreeMap<>();
        perModel.forEach((model, medians) -> {
            if (medians.size() >= MIN_PEERS) {
                out.put(model, median(medians.stream().mapToDouble(Double::doubleValue).toArray()));
            }
        });
        return out;
    }

    /** The 95th percentile of the node's samples for the model in the window (nearest rank), NaN with too few. */
    synchronized double p95Millis(String node, String model) {
        var m = samples.get(node);
        ArrayDeque<Sample> q = m == null ? null : m.get(model);
        if (q == null || Double.isNaN(median(q, clock.millis()))) {
            return Double.NaN;
        }
        double[] v = new double[q.size()];
        int i = 0;
        for (Sample s : q) {
            v[i++] = s.millis();
        }
        Arrays.sort(v);
        return v[(int) Math.ceil(0.95 * v.length) - 1];
    }

    /** Drops samples older than the window, then the median, or NaN when fewer than the minimum remain. */
    private double median(ArrayDeque<Sample> q, long now) {
        long oldest = now - windowMillis;
        while (!q.isEmpty() && q.peekFirst().atMillis() < oldest) {
            q.removeFirst();
        }
        if (q.size() < minSamples) {
            return Double.NaN;
        }
        double[] v = new double[q.size()];
        int i = 0;
        for (Sample s : q) {
            v[i++] = s.millis();
        }
        return median(v);
    }

    private static double median(double[] v) {
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private record Sample(long atMillis, double millis) {
    }
}
