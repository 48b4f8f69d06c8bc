package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The scheduling engine: for a request, its {@link Profile}'s filters drop nodes (each filter
 * runs over the remaining nodes in one pass, timed as a whole; a filter that would drop them all
 * may keep some, {@link Filter#whenNoneAccepted}), its scorers rate the candidates
 * (each into a reused per-thread array; NaN counts as the neutral 0.5, values are clamped to 0..1,
 * then weighted and summed), and its picker chooses from the totals. Every plugin call is timed
 * with the injected ticker and recorded through {@link SchedulingMetrics}. A DEGRADED node is a
 * candidate only when no HEALTHY one is. Plugins that implement {@link RequestObserver} hear of
 * every dispatch and every attempt's end through {@link #dispatched} and {@link #finished}.
 * Reads snapshots only; never does I/O. Thread-safe (scratch arrays are per thread).
 */
public final class Scheduler {
    /**
     * The tokens a request without {@code max_tokens} is assumed to generate, for load accounting
     * (a typical chat answer; the node's own limit is unknown to the gateway).
     */
    public static final int DEFAULT_GENERATION_TOKENS = 256;

    private final Profiles profiles;
    private final Clock clock;
    private final LongSupplier ticker;
    private final List<RequestObserver> observers;
    private final int maxScorers;
    private final AtomicLong ids = new AtomicLong();
    private final ThreadLocal<Scratch> scratch;

    /**
     * The engine over built profiles.
     *
     * @param clock  stamps each request's decision time (virtual in the simulator)
     * @param ticker nanoseconds for timing the plugins ({@code System::nanoTime} in the gateway)
     */
    public Scheduler(Profiles profiles, Clock clock, LongSupplier ticker) {
        this.profiles = profiles;
        this.clock = clock;
        this.ticker = ticker;
        this.observers = profiles.observers();
        this.maxScorers = profiles.maxScorers();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(maxScorers));
    }

    /** Filters and a picker, no scorers, metrics recorded nowhere. */
    public Scheduler(List<Filter> filters, Picker picker, Clock clock) {
        this(Profiles.single(new Profile(picker.type(), filters, List.of(), new double[0], picker,
                SchedulingMetrics.noop())), clock, System::nanoTime);
    }

    public Scheduler(List<Filter> filters, Picker picker) {
        this(filters, picker, Clock.systemUTC());
    }

    /**
     * The engine with one default profile named {@code policy}: a built-in profile, or (the legacy
     * shorthand) a picker type after the filters healthy and serves-model.
     *
     * @throws SchedulingConfigException naming the known names when {@code policy} is neither
     */
    public static Scheduler of(SchedulingPlugins plugins, String policy) {
        return new Scheduler(Profiles.build(plugins, new dev.flotilla.gateway.config.GatewayConfig.Scheduling(
                        null, Map.of(), Map.of(), List.of()), policy, PluginContext.of(Clock.systemUTC(), 0),
                SchedulingMetrics.noop()), Clock.systemUTC(), System::nanoTime);
    }

    /**
     * The tokens a request counts in a node's {@link NodeSnapshot#inFlightTokens()} while an attempt
     * runs: its estimated prompt tokens plus its {@code max_tokens} (or
     * {@value #DEFAULT_GENERATION_TOKENS} when it sets none).
     */
    public static long tokensInFlight(SchedulingRequest request) {
        return (long) request.estimatedPromptTokens() + request.maxTokens(DEFAULT_GENERATION_TOKENS);
    }

    /** The request as the plugins see it, stamped with this scheduler's clock and a new id. */
    public SchedulingRequest describe(InferenceRequest request, String sessionKey) {
        return new SchedulingRequest(ids.incrementAndGet(), request, sessionKey, clock.instant());
    }

    /** The profile a request gets (by model, then endpoint, then the default). */
    public Profile profile(SchedulingRequest request) {
        return profiles.forRequest(request.model(), request.request().endpoint());
    }

    /**
     * The nodes that pass every filter of the request's profile, leaving out the excluded names
     * (nodes already tried). When some of them are HEALTHY, the DEGRADED ones are left out too: a
     * degraded node takes requests only when no healthy one can.
     */
    public List<NodeSnapshot> candidates(SchedulingRequest request, List<NodeSnapshot> nodes, Set<String> excluded) {
        Profile p = profile(request);
        ArrayList<NodeSnapshot> out = new ArrayList<>(nodes.size());
        for (int i = 0, n = nodes.size(); i < n; i++) {
            NodeSnapshot node = nodes.get(i);
            if (excluded.isEmpty() || !excluded.contains(node.name())) {
                out.add(node);
            }
        }
        for (int f = 0; f < p.filters.length; f++) {
            Filter filter = p.filters[f];
            long start = ticker.getAsLong();
            int kept = 0;
            for (int i = 0, n = out.size(); i < n; i++) {
                NodeSnapshot node = out.get(i);
                if (filter.accept(node, request)) {
                    out.set(kept++, node);
                }
            }
            if (kept == 0 && !out.isEmpty()) {
                // nothing was overwritten: out still holds every node the filter rejected
                List<NodeSnapshot> rescued = filter.whenNoneAccepted(List.copyOf(out), request);
                for (NodeSnapshot node : rescued) {
                    out.set(kept++, node);
                }
            }
            truncate(out, kept);
            p.filterTimers[f].record(ticker.getAsLong() - start);
        }
        // the pass that drops DEGRADED nodes runs only when there are both kinds (rarely)
        boolean anyHealthy = false;
        boolean anyDegraded = false;
        for (int i = 0, n = out.size(); i < n && !(anyHealthy && anyDegraded); i++) {
            NodeState state = out.get(i).state();
            anyHealthy |= state == NodeState.HEALTHY;
            anyDegraded |= state == NodeState.DEGRADED;
        }
        if (anyHealthy && anyDegraded) {
            int kept = 0;
            for (int i = 0, n = out.size(); i < n; i++) {
                NodeSnapshot node = out.get(i);
                if (node.state() != NodeState.DEGRADED) {
                    out.set(kept++, node);
                }
            }
            truncate(out, kept);
        }
        return out;
    }

    private static void truncate(ArrayList<NodeSnapshot> list, int size) {
        for (int i = list.size() - 1; i >= size; i--) {
            list.remove(i);
        }
    }

    /**
     * Writes into {@code totals} (one element per candidate) the weighted sum of the request's
     * profile's scorers: each score NaN → 0.5, clamped to 0..1, times the scorer's weight.
     */
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        Profile p = profile(request);
        int n = candidates.size();
        if (totals.length != n) {
            throw new IllegalArgumentException("totals has " + totals.length + " elements for " + n + " candidates");
        }
        Arrays.fill(totals, 0);
        if (p.scorers.length == 0 || n == 0) {
            return;
        }
        Scratch s = scratch.get();
        for (int k = 0; k < p.scorers.length; k++) {
            double[] scores = s.scores(k, n);
            long start = ticker.getAsLong();
            p.scorers[k].score(request, candidates, scores);
            p.scorerTimers[k].record(ticker.getAsLong() - start);
            double w = p.weights[k];
            for (int i = 0; i < n; i++) {
                totals[i] += w * clamp(scores[i]);
            }
        }
    }

    /** What the engine counts of a score: NaN (no data) as the neutral 0.5, else clamped to 0..1. */
    public static double clamp(double score) {
        if (Double.isNaN(score)) {
            return 0.5;
        }
        return score < 0 ? 0 : score > 1 ? 1 : score;
    }

    /**
     * The index of the candidate the request's profile's picker chooses given the totals, or -1.
     *
     * @throws IllegalStateException when the picker answers an index outside the candidates
     */
    public int choose(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        Profile p = profile(request);
        long start = ticker.getAsLong();
        int i = p.picker.pick(request, candidates, totals);
        p.pickerTimer.record(ticker.getAsLong() - start);
        if (i < -1 || i >= candidates.size()) {
            throw new IllegalStateException("picker '" + p.picker.type() + "' chose index " + i + " of "
                    + candidates.size() + " candidates");
        }
        return i;
    }

    /** Scores the candidates and picks one (the totals live in a per-thread array). */
    public Optional<NodeSnapshot> pick(List<NodeSnapshot> candidates, SchedulingRequest request) {
        double[] totals = scratch.get().totals(candidates.size());
        score(request, candidates, totals);
        int i = choose(request, candidates, totals);
        return i < 0 ? Optional.empty() : Optional.of(candidates.get(i));
    }

    /**
     * How the engine decides this request over these nodes, with every filter's verdict on every
     * node and every scorer's raw and counted score. Dispatches nothing and tells no observer; the
     * picker runs (a picker with a rotation advances it, as a real pick would). Not timed.
     *
     * @param extraDrop a reason to leave a node out after the filters (e.g. its open circuit), or
     *                  null to keep it; may be null itself
     */
    public Explanation explain(SchedulingRequest request, List<NodeSnapshot> nodes, Set<String> excluded,
                               java.util.function.Function<NodeSnapshot, String> extraDrop) {
        Profile p = profile(request);
        List<Explanation.NodeVerdict> verdicts = new ArrayList<>(nodes.size());
        boolean[][] accepted = new boolean[nodes.size()][p.filters.length];
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeSnapshot node = nodes.get(i);
            List<Explanation.FilterVerdict> fv = new ArrayList<>(p.filters.length);
            for (int f = 0; f < p.filters.length; f++) {
                accepted[i][f] = p.filters[f].accept(node, request);
                fv.add(new Explanation.FilterVerdict(p.filters[f].type(), accepted[i][f]));
            }
            String dropped = excluded.contains(node.name()) ? "excluded" : null;
            verdicts.add(new Explanation.NodeVerdict(node.name(), node.state().name(), List.copyOf(fv), dropped,
                    List.of(), Double.NaN));
            if (dropped == null) {
                left.add(i);
            }
        }
        // the filters in turn over the nodes left, as candidates() runs them (with a filter's fallback
        // when it accepts none): a node kept by a fallback shows its filter's refusal but is not dropped
        for (int f = 0; f < p.filters.length; f++) {
            List<Integer> kept = new ArrayList<>();
            for (int i : left) {
                if (accepted[i][f]) {
                    kept.add(i);
                }
            }
            if (kept.isEmpty() && !left.isEmpty()) {
                List<NodeSnapshot> rejected = left.stream().map(nodes::get).toList();
                for (NodeSnapshot rescued : p.filters[f].whenNoneAccepted(rejected, request)) {
                    kept.add(left.get(rejected.indexOf(rescued)));
                }
            }
            for (int i : left) {
                if (!kept.contains(i)) {
                    String type = p.filters[f].type();
                    replace(verdicts, nodes.get(i).name(), v -> v.droppedFor(type));
                }
            }
            left = kept;
        }
        List<NodeSnapshot> passed = left.stream().map(nodes::get).toList();
        boolean anyHealthy = passed.stream().anyMatch(n -> n.state() == NodeState.HEALTHY);
        List<NodeSnapshot> candidates = new ArrayList<>();
        for (NodeSnapshot node : passed) {
            String reason = anyHealthy && node.state() == NodeState.DEGRADED ? "degraded"
                    : extraDrop == null ? null : extraDrop.apply(node);
            if (reason == null) {
                candidates.add(node);
            } else {
                replace(verdicts, node.name(), v -> v.droppedFor(reason));
            }
        }
        int n = candidates.size();
        double[] totals = new double[n];
        List<List<Explanation.ScorerScore>> perNode = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            perNode.add(new ArrayList<>());
        }
        for (int k = 0; k < p.scorers.length && n > 0; k++) {
            double[] scores = new double[n];
            p.scorers[k].score(request, candidates, scores);
            for (int i = 0; i < n; i++) {
                double c = clamp(scores[i]);
                totals[i] += p.weights[k] * c;
                perNode.get(i).add(new Explanation.ScorerScore(p.scorers[k].type(), p.weights[k], scores[i], c));
            }
        }
        for (int i = 0; i < n; i++) {
            double total = totals[i];
            List<Explanation.ScorerScore> scores = List.copyOf(perNode.get(i));
            replace(verdicts, candidates.get(i).name(), v -> new Explanation.NodeVerdict(v.node(), v.state(),
                    v.filters(), null, scores, total));
        }
        int chosen = n == 0 ? -1 : p.picker.pick(request, candidates, totals.clone());
        String picked = chosen >= 0 && chosen < n ? candidates.get(chosen).name() : null;
        return new Explanation(p.name(), List.copyOf(verdicts), p.picker.type(), picked);
    }

    private static void replace(List<Explanation.NodeVerdict> verdicts, String node,
                                java.util.function.UnaryOperator<Explanation.NodeVerdict> change) {
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i).node().equals(node)) {
                verdicts.set(i, change.apply(verdicts.get(i)));
                return;
            }
        }
    }

    /** Tells every observing plugin that the request was sent to {@code node}. */
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        for (int i = 0, n = observers.size(); i < n; i++) {
            observers.get(i).dispatched(request, node);
        }
    }

    /** Tells every observing plugin that the attempt on {@code node} ended. */
    public void finished(SchedulingRequest request, String node, Completion completion) {
        for (int i = 0, n = observers.size(); i < n; i++) {
            observers.get(i).finished(request, node, completion);
        }
    }

    /** The default profile's name (what {@code routing.policy} or {@code scheduling.default} named). */
    public String policy() {
        return profiles.defaultProfile().name();
    }

    public Profiles profiles() {
        return profiles;
    }

    /** Per-thread arrays reused across decisions (resized when the candidate count changes). */
    private static final class Scratch {
        private final double[][] scores;
        private double[] totals = new double[0];

        Scratch(int scorers) {
            this.scores = new double[scorers][];
            for (int k = 0; k < scorers; k++) {
                scores[k] = new double[0];
            }
        }

        /** The array of scorer {@code k}, {@code n} long and zeroed. */
        double[] scores(int k, int n) {
            double[] a = scores[k];
            if (a.length != n) {
                a = new double[n];
                scores[k] = a;
            } else {
                Arrays.fill(a, 0);
            }
            return a;
        }

        double[] totals(int n) {
            if (totals.length != n) {
                totals = new double[n];
            }
            return totals;
        }
    }
}
