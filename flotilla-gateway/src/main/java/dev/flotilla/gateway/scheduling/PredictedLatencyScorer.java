package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.LinearFit.Line;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Type {@value #TYPE}: prefers the node expected to answer this request soonest, from a latency
 * model of each node fitted online to what the node actually delivered. Per node, two lines fitted
 * by exponentially weighted least squares ({@link LinearFit}) on successful completions:
 * <pre>
 *   ttft(ms)            = a + b * promptTokens     prefill, from requests that found no queue
 *   perOutputToken(ms)  = c + d * batch            decode, vs concurrent requests
 * </pre>
 * where {@code batch = max(outstanding, running) + 1} as the node was seen when the request was
 * dispatched. A node's {@code slots} is its running count seen in fresh telemetry while requests
 * waited (its KV cache or batch limit); unknown until then.
 * A completion without a first-token time (not streamed) teaches only the mean lengths.
 * A prediction for this request on a node:
 * <pre>
 *   queued  = max(waiting (fresh, else 0), outstanding + 1 - slots (when known))
 *   service = a + b * meanPromptTokens(node) + (meanOutput - 1) * (c + d * slots)
 *   ttft = a + b * estimatedPromptTokens + queued * service / slots
 *   e2e  = ttft + (out - 1) * (c + d * min(max(outstanding, running) + 1, slots)),
 *          out = min(max_tokens, mean completion tokens seen)
 *   predicted = ttft | e2e | (1 - blendWeight) * ttft + blendWeight * e2e   (param target)
 *   score = min over the candidates of predicted / predicted    (1 for the fastest)
 * </pre>
 * Until a node has {@code minSamples} samples for a line, the line is a prior: the average line of
 * the nodes already fitted, else the parameters' priors, scaled by {@code mean tflops of the
 * candidates / the node's tflops} when {@code NodeFacts.tflops} is known (a faster GPU is assumed
 * proportionally faster).
 *
 * <p>Parameters: {@code target} (blend; ttft, e2e or blend), {@code blendWeight} (0.5),
 * {@code decay} (0.95), {@code minSamples} (5), {@code priorPrefillBaseMs} (20),
 * {@code priorPrefillMsPerToken} (0.25), {@code priorDecodeBaseMs} (20),
 * {@code priorDecodeMsPerRequest} (1), {@code expectedOutputTokens} (128: the output length assumed
 * before any completion is seen), {@code forgetAfter} (30s: a node whose fit no completion has
 * taught for this long is predicted like an unseen node, so that a node once slow is tried again).
 * Thread-safe: observer calls come from several event loops.
 */
public final class PredictedLatencyScorer implements Scorer, RequestObserver {
    public static final String TYPE = "predicted-latency";
    /** Dispatches remembered without a completion; beyond it new ones are not remembered. */
    static final int MAX_PENDING = 100_000;
    /** Requests a node's model remembers as in prefill; beyond it new ones are not counted. */
    static final int MAX_IN_PREFILL = 4_096;

    /** The configuration of one instance. */
    record Settings(String target, double blendWeight, double decay, int minSamples, Line prefillPrior,
                    Line decodePrior, double expectedOutputTokens, long forgetAfterNanos) {
    }

    /** One prediction in milliseconds. */
    record Prediction(double ttftMs, double e2eMs) {
    }

    /** A dispatch's key: the request on one node (equality written out: it is hashed per request). */
    private static final class Pending {
        private final long request;
        private final String node;

        Pending(long request, String node) {
            this.request = request;
            this.node = node;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Pending p && p.request == request && p.node.equals(node);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(request) * 31 + node.hashCode();
        }
    }

    /** The node as the request found it: requests queued ahead of it, and the batch it joined. */
    private record Dispatch(double queuedAhead, int batch, double prefillAhead) {
    }

    private static final int TTFT = 0;
    private static final int E2E = 1;
    private static final int BLEND = 2;

    private final Settings settings;
    private final int target;
    private final Map<String, NodeModel> models = new ConcurrentHashMap<>();
    private final Map<Pending, Dispatch> pending = new ConcurrentHashMap<>();
    private final EwMean completionTokens;

    PredictedLatencyScorer(Settings settings) {
        this.settings = settings;
        this.target = switch (settings.target()) {
            case "ttft" -> TTFT;
            case "e2e" -> E2E;
            default -> BLEND;
        };
        this.completionTokens = new EwMean(settings.decay(), settings.expectedOutputTokens());
    }

    /** The factory: reads the parameters named in the class comment. */
    public static PredictedLatencyScorer create(PluginParams params, PluginContext context) {
        String target = params.string("target", "blend");
        if (!List.of("ttft", "e2e", "blend").contains(target)) {
            throw new PluginConfigException(params.pathOf("target"), target, "expected ttft, e2e or blend");
        }
        return new PredictedLatencyScorer(new Settings(target,
                params.number("blendWeight", 0.5, 0, 1),
                params.number("decay", 0.95, 0.5, 1),
                (int) params.integer("minSamples", 5, 1, 1_000_000),
                new Line(params.number("priorPrefillBaseMs", 20, 0, 1e6),
                        params.number("priorPrefillMsPerToken", 0.25, 0, 1e6)),
                new Line(params.number("priorDecodeBaseMs", 20, 0, 1e6),
                        params.number("priorDecodeMsPerRequest", 1, 0, 1e6)),
                params.number("expectedOutputTokens", 128, 1, 1e7),
                params.duration("forgetAfter", java.time.Duration.ofSeconds(30)).toNanos()));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        long nowNanos = epochNanos(request.now());
        long cutoff = nowNanos - settings.forgetAfterNanos();
        Priors priors = priors(candidates, cutoff);
        double expectedOutput = completionTokens.value(); // once per pass, not per node: it takes a lock
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            double v = predict(request, candidates.get(i), priors, expectedOutput, nowNanos, cutoff, target);
            scores[i] = Math.max(v, 1e-6); // a zero prediction (a fit through the origin) must not divide by 0
            min = Math.min(min, scores[i]);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = min / scores[i];
        }
    }

    /** The prediction for this request on one of the candidates. */
    Prediction predict(SchedulingRequest request, NodeSnapshot node, List<NodeSnapshot> candidates) {
        long nowNanos = epochNanos(request.now());
        long cutoff = nowNanos - settings.forgetAfterNanos();
        Priors priors = priors(candidates, cutoff);
        double expectedOutput = completionTokens.value();
        return new Prediction(predict(request, node, priors, expectedOutput, nowNanos, cutoff, TTFT),
                predict(request, node, priors, expectedOutput, nowNanos, cutoff, E2E));
    }

    /**
     * The prediction in ms of {@code what} (TTFT, E2E or the BLEND) for the request on one node. In
     * primitives throughout: it runs once per candidate per decision, and reads the node's fits from
     * an immutable view published at each completion instead of taking the node's lock.
     */
    private double predict(SchedulingRequest request, NodeSnapshot node, Priors priors, double expectedOutput,
                           long nowNanos, long cutoff, int what) {
        NodeModel model = models.get(node.name());
        View view = model == null ? null : model.view;
        // a node with no sample for forgetAfter is predicted as an unseen one: a node once slow (frozen,
        // overloaded) would otherwise keep its slow fit and never be tried again
        boolean fitted = view != null && view.lastSample() >= cutoff;
        double scale = priors.scale(node);
        double prefillBase = priors.prefillBase() * scale;
        double prefillSlope = priors.prefillSlope() * scale;
        double decodeBase = priors.decodeBase() * scale;
        double decodeSlope = priors.decodeSlope() * scale;
        // a fitted slope makes the line independent of the prior: the one computed at publication holds
        if (fitted && view.prefillFitted() && view.prefillSlopeFitted()) {
            prefillBase = view.priorPrefillBase();
            prefillSlope = view.priorPrefillSlope();
        } else if (fitted && view.prefillFitted()) {
            double prior = prefillSlope;
            prefillBase = view.prefill().base(prior);
            prefillSlope = view.prefill().slope(prior);
        }
        if (fitted && view.decodeFitted() && view.decodeSlopeFitted()) {
            decodeBase = view.priorDecodeBase();
            decodeSlope = view.priorDecodeSlope();
        } else if (fitted && view.decodeFitted()) {
            double prior = decodeSlope;
            decodeBase = view.decode().base(prior);
            decodeSlope = view.decode().slope(prior);
        }
        int tokens = request.estimatedPromptTokens();
        double slots = view == null ? Double.NaN : view.slots();
        double out = Math.max(1, Math.min(request.maxTokens(Integer.MAX_VALUE), expectedOutput));
        boolean fresh = Freshness.fresh(node, request.now());
        double queued = queuedAhead(node, fresh, slots);
        double wait = 0;
        if (queued > 0) {
            // a queued request starts when one of the node's slots frees: every service time / slots
            double concurrency = Double.isNaN(slots) ? Math.max(1, node.outstanding()) : slots;
            double meanPrompt = view == null || Double.isNaN(view.meanPromptTokens()) ? tokens
                    : view.meanPromptTokens();
            double service = (prefillBase + prefillSlope * meanPrompt)
                    + (expectedOutput - 1) * (decodeBase + decodeSlope * concurrency);
            wait = queued * service / concurrency;
        }
        // prompts sent there that have not had their first token yet are prefilled with this one
        double ahead = model == null ? 0 : model.prefillTokensAt(nowNanos);
        double ttft = (prefillBase + prefillSlope * (tokens + ahead)) + wait;
        if (what == TTFT) {
            return ttft;
        }
        int batch = batch(node, fresh);
        double perToken = decodeBase + decodeSlope * (Double.isNaN(slots) ? batch : Math.min(batch, slots));
        double e2e = ttft + (out - 1) * perToken;
        return what == E2E ? e2e : (1 - settings.blendWeight()) * ttft + settings.blendWeight() * e2e;
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        if (pending.size() >= MAX_PENDING) {
            return;
        }
        NodeModel model = models.computeIfAbsent(node.name(), n -> new NodeModel(settings));
        Instant now = request.now();
        boolean fresh = Freshness.fresh(node, now);
        if (fresh && node.telemetry().load().waiting() > 0) {
            // the engine queues: its running batch is as large as it gets (its KV cache or batch limit)
            model.saturatedAt(node.telemetry().load().running());
        }
        View view = model.view;
        double queued = queuedAhead(node, fresh, view.slots());
        long nowNanos = epochNanos(now);
        double ahead = model.prefillTokensAt(nowNanos);
        pending.put(new Pending(request.id(), node.name()), new Dispatch(queued, batch(node, fresh), ahead));
        if (queued <= 0) {
            // in prefill until its expected first token: the line fitted so far, else the prior
            int tokens = request.estimatedPromptTokens();
            double ms = view.prefillFitted()
                    ? view.priorPrefillBase() + view.priorPrefillSlope() * (tokens + ahead)
                    : settings.prefillPrior().at(tokens + ahead);
            model.startPrefill(request.id(), nowNanos + (long) (ms * 1e6), tokens);
        }
    }

    @Override
    public void finished(SchedulingRequest request, String node, Completion completion) {
        Dispatch at = pending.remove(new Pending(request.id(), node));
        NodeModel seen = models.get(node);
        if (seen != null) {
            seen.endPrefill(request.id());
        }
        if (completion.outcome() != Completion.Outcome.SUCCESS) {
            return;
        }
        int prompt = completion.promptTokens() > 0 ? completion.promptTokens() : request.estimatedPromptTokens();
        NodeModel model = models.computeIfAbsent(node, n -> new NodeModel(settings));
        if (completion.completionTokens() > 0) {
            completionTokens.add(completion.completionTokens());
        }
        double prefillTokens = Double.NaN;
        double ttftMs = Double.NaN;
        int batch = 0;
        double perTokenMs = Double.NaN;
        if (completion.firstTokenNanos() > 0) {
            if (at != null && at.queuedAhead() <= 0) {
                // only requests that did not queue teach the prefill line (a queue's wait is modelled apart),
                // with the prompts they were prefilled with
                prefillTokens = prompt + at.prefillAhead();
                ttftMs = completion.firstTokenNanos() / 1e6;
            }
            if (at != null && completion.completionTokens() >= 2
                    && completion.durationNanos() > completion.firstTokenNanos()) {
                batch = at.batch();
                perTokenMs = (completion.durationNanos() - completion.firstTokenNanos()) / 1e6
                        / (completion.completionTokens() - 1);
            }
        }
        model.learn(prompt, prefillTokens, ttftMs, batch, perTokenMs,
                epochNanos(request.now()) + completion.durationNanos());
    }

    /** Dispatches waiting for their completion (for tests: the map stays bounded). */
    int pendingCount() {
        return pending.size();
    }

    /**
     * Requests ahead of a new one in the node's queue: the engine's waiting count when fresh, and,
     * once the node has been seen saturated with {@code slots} running, the requests this gateway
     * has outstanding there beyond those slots (exact, even between scrapes).
     */
    private static double queuedAhead(NodeSnapshot node, boolean fresh, double slots) {
        double queued = 0;
        if (fresh) {
            double w = node.telemetry().load().waiting();
            queued = Double.isNaN(w) ? 0 : Math.max(0, w);
        }
        if (!Double.isNaN(slots)) {
            queued = Math.max(queued, node.outstanding() + 1 - slots);
        }
        return queued;
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static int batch(NodeSnapshot node, boolean fresh) {
        double running = fresh ? node.telemetry().load().running() : Double.NaN;
        int r = Double.isNaN(running) ? 0 : (int) Math.max(0, Math.round(running));
        return Math.max(node.outstanding(), r) + 1;
    }

    /** The priors for one scoring pass: fleet-average fitted lines when there are any. */
    private Priors priors(List<NodeSnapshot> candidates, long cutoff) {
        double pb = 0;
        double ps = 0;
        double db = 0;
        double ds = 0;
        int np = 0;
        int nd = 0;
        for (NodeModel m : models.values()) {
            View v = m.view;
            if (v.lastSample() < cutoff) {
                continue;
            }
            if (v.prefillFitted()) {
                pb += v.priorPrefillBase();
                ps += v.priorPrefillSlope();
                np++;
            }
            if (v.decodeFitted()) {
                db += v.priorDecodeBase();
                ds += v.priorDecodeSlope();
                nd++;
            }
        }
        double tflops = 0;
        int nt = 0;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            NodeSnapshot c = candidates.get(i);
            if (c.facts() != null && c.facts().tflops() != null && c.facts().tflops() > 0) {
                tflops += c.facts().tflops();
                nt++;
            }
        }
        Line prefill = settings.prefillPrior();
        Line decode = settings.decodePrior();
        return new Priors(np > 0 ? pb / np : prefill.base(), np > 0 ? ps / np : prefill.slope(),
                nd > 0 ? db / nd : decode.base(), nd > 0 ? ds / nd : decode.slope(),
                nt > 0 ? tflops / nt : Double.NaN);
    }

    private record Priors(double prefillBase, double prefillSlope, double decodeBase, double decodeSlope,
                          double meanTflops) {
        double scale(NodeSnapshot node) {
            Double t = node.facts() == null ? null : node.facts().tflops();
            return t == null || !(t > 0) || Double.isNaN(meanTflops) ? 1 : meanTflops / t;
        }
    }

    /**
     * What a scoring pass reads of a node's model, immutable: the fits' sums, whether each has
     * {@code minSamples} and a fitted slope (then the line below serves any prior; the sums,
     * another object to load, are read only when not), each line with the configured prior slope (for the fleet priors and the
     * prefill estimate at dispatch), the slots, when a completion last taught the fits (epoch ns,
     * Long.MIN_VALUE before any), and the mean prompt (NaN before any).
     */
    private record View(LinearFit.Sums prefill, boolean prefillFitted, boolean prefillSlopeFitted,
                        double priorPrefillBase, double priorPrefillSlope, LinearFit.Sums decode,
                        boolean decodeFitted, boolean decodeSlopeFitted, double priorDecodeBase,
                        double priorDecodeSlope, double slots, long lastSample, double meanPromptTokens) {
    }

    /**
     * What one node delivered; changed under its lock (a few arithmetic operations per call), and
     * published after each change as a {@link View} that scoring reads without the lock.
     */
    private static final class NodeModel {
        private final Settings settings;
        private final LinearFit prefill;
        private final LinearFit decode;
        private final EwMean promptTokens;
        /** The running count seen while requests waited (NaN until the node was seen saturated). */
        private double slots = Double.NaN;
        /** When a completion last taught the fit (epoch ns), Long.MIN_VALUE before any. */
        private long lastSample = Long.MIN_VALUE;
        /** Requests in prefill by id: {expected first token, epoch ns; prompt tokens}. */
        private final java.util.HashMap<Long, long[]> inPrefill = new java.util.HashMap<>();
        /** inPrefill's size, readable without the lock (most passes find none in prefill). */
        private volatile int inPrefillCount;
        private volatile View view;

        NodeModel(Settings settings) {
            this.settings = settings;
            prefill = new LinearFit(settings.decay());
            decode = new LinearFit(settings.decay());
            promptTokens = new EwMean(settings.decay(), Double.NaN);
            publish();
        }

        private void publish() {
            LinearFit.Sums p = prefill.sums();
            LinearFit.Sums d = decode.sums();
            double ps = settings.prefillPrior().slope();
            double ds = settings.decodePrior().slope();
            view = new View(p, p.count() >= settings.minSamples(), p.slopeFitted(), p.base(ps), p.slope(ps),
                    d, d.count() >= settings.minSamples(), d.slopeFitted(), d.base(ds), d.slope(ds), slots,
                    lastSample, promptTokens.value());
        }

        /**
         * What a successful completion taught: its prompt; the prefill line when {@code ttftMs} is
         * a number; the decode line when {@code perTokenMs} is; then, when either taught, the time.
         */
        synchronized void learn(int prompt, double prefillTokens, double ttftMs, int batch, double perTokenMs,
                                long sampledAtNanos) {
            promptTokens.add(prompt);
            if (!Double.isNaN(ttftMs)) {
                prefill.add(prefillTokens, ttftMs);
            }
            if (!Double.isNaN(perTokenMs)) {
                decode.add(batch, perTokenMs);
            }
            if (!Double.isNaN(ttftMs) || !Double.isNaN(perTokenMs)) {
                lastSample = Math.max(lastSample, sampledAtNanos);
            }
            publish();
        }

        /** Prompt tokens of requests sent here and expected to be still in prefill until then. */
        synchronized void startPrefill(long request, long untilEpochNanos, int tokens) {
            if (inPrefill.size() < MAX_IN_PREFILL) {
                inPrefill.put(request, new long[] {untilEpochNanos, tokens});
                inPrefillCount = inPrefill.size();
            }
        }

        void endPrefill(long request) {
            if (inPrefillCount == 0) {
                return;
            }
            synchronized (this) {
                inPrefill.remove(request);
                inPrefillCount = inPrefill.size();
            }
        }

        /** The prompt tokens still expected in prefill at this time (forgets the ones past their time). */
        double prefillTokensAt(long epochNanos) {
            if (inPrefillCount == 0) {
                return 0;
            }
            synchronized (this) {
                long sum = 0;
                for (var it = inPrefill.values().iterator(); it.hasNext(); ) {
                    long[] e = it.next();
                    if (e[0] <= epochNanos) {
                        it.remove();
                    } else {
                        sum += e[1];
                    }
                }
                inPrefillCount = inPrefill.size();
                return sum;
            }
        }

        synchronized void saturatedAt(double running) {
            if (running >= 1 && (Double.isNaN(slots) || running > slots)) {
                slots = running;
                publish();
            }
        }
    }

    /** An exponentially weighted mean, thread-safe. */
    private static final class EwMean {
        private final double decay;
        private final double initial;
        private double weight;
        private double sum;

        EwMean(double decay, double initial) {
            this.decay = decay;
            this.initial = initial;
        }

        synchronized void add(double x) {
            weight = decay * weight + 1;
            sum = decay * sum + x;
        }

        synchronized double value() {
            return weight == 0 ? initial : sum / weight;
        }
    }
}
