package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.DataState;
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

    private record Pending(long request, String node) {
    }

    /** The node as the request found it: requests queued ahead of it, and the batch it joined. */
    private record Dispatch(double queuedAhead, int batch, double prefillAhead) {
    }

    private final Settings settings;
    private final Map<String, NodeModel> models = new ConcurrentHashMap<>();
    private final Map<Pending, Dispatch> pending = new ConcurrentHashMap<>();
    private final EwMean completionTokens;

    PredictedLatencyScorer(Settings settings) {
        this.settings = settings;
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
        Priors priors = priors(candidates, request.now());
        double expectedOutput = completionTokens.value(); // once per pass, not per node: it takes a lock
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            Prediction p = predict(request, candidates.get(i), priors, expectedOutput);
            double v = switch (settings.target()) {
                case "ttft" -> p.ttftMs();
                case "e2e" -> p.e2eMs();
                default -> (1 - settings.blendWeight()) * p.ttftMs() + settings.blendWeight() * p.e2eMs();
            };
            scores[i] = Math.max(v, 1e-6); // a zero prediction (a fit through the origin) must not divide by 0
            min = Math.min(min, scores[i]);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = min / scores[i];
        }
    }

    /** The prediction for this request on one of the candidates. */
    Prediction predict(SchedulingRequest request, NodeSnapshot node, List<NodeSnapshot> candidates) {
        return predict(request, node, priors(candidates, request.now()), completionTokens.value());
    }

    private Prediction predict(SchedulingRequest request, NodeSnapshot node, Priors priors, double expectedOutput) {
        NodeModel model = models.get(node.name());
        NodeModel fitted = model != null && model.sampledSince(forgetBefore(request.now())) ? model : null;
        double scale = priors.scale(node);
        Line prefillPrior = scaled(priors.prefill(), scale);
        Line decodePrior = scaled(priors.decode(), scale);
        // a node with no sample for forgetAfter is predicted as an unseen one: a node once slow (frozen,
        // overloaded) would otherwise keep its slow fit and never be tried again
        Line prefill = fitted == null ? null : fitted.prefill(settings.minSamples(), prefillPrior.slope());
        Line decode = fitted == null ? null : fitted.decode(settings.minSamples(), decodePrior.slope());
        prefill = prefill != null ? prefill : prefillPrior;
        decode = decode != null ? decode : decodePrior;
        int tokens = request.estimatedPromptTokens();
        double slots = model == null ? Double.NaN : model.slots();
        double out = Math.max(1, Math.min(request.maxTokens(Integer.MAX_VALUE), expectedOutput));
        double queued = queuedAhead(node, request.now(), slots);
        double wait = 0;
        if (queued > 0) {
            // a queued request starts when one of the node's slots frees: every service time / slots
            double concurrency = Double.isNaN(slots) ? Math.max(1, node.outstanding()) : slots;
            double meanPrompt = model == null ? tokens : model.meanPromptTokens(tokens);
            double service = prefill.at(meanPrompt) + (expectedOutput - 1) * decode.at(concurrency);
            wait = queued * service / concurrency;
        }
        int batch = batch(node, request.now());
        // prompts sent there that have not had their first token yet are prefilled with this one
        double ahead = model == null ? 0 : model.prefillTokensAt(epochNanos(request.now()));
        double ttft = prefill.at(tokens + ahead) + wait;
        double e2e = ttft + (out - 1) * decode.at(Double.isNaN(slots) ? batch : Math.min(batch, slots));
        return new Prediction(ttft, e2e);
    }

    @Override
    public void dispatched(SchedulingRequest request, NodeSnapshot node) {
        if (pending.size() >= MAX_PENDING) {
            return;
        }
        NodeModel model = models.computeIfAbsent(node.name(), n -> new NodeModel(settings.decay()));
        Instant now = request.now();
        if (node.dataState(now) == DataState.FRESH && node.telemetry().load().waiting() > 0) {
            // the engine queues: its running batch is as large as it gets (its KV cache or batch limit)
            model.saturatedAt(node.telemetry().load().running());
        }
        double queued = queuedAhead(node, now, model.slots());
        long nowNanos = epochNanos(now);
        double ahead = model.prefillTokensAt(nowNanos);
        pending.put(new Pending(request.id(), node.name()), new Dispatch(queued, batch(node, now), ahead));
        if (queued <= 0) {
            // in prefill until its expected first token: the line fitted so far, else the prior
            int tokens = request.estimatedPromptTokens();
            Line line = model.prefill(settings.minSamples(), settings.prefillPrior().slope());
            double ms = (line != null ? line : settings.prefillPrior()).at(tokens + ahead);
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
        NodeModel model = models.computeIfAbsent(node, n -> new NodeModel(settings.decay()));
        model.observePrompt(prompt);
        if (completion.completionTokens() > 0) {
            completionTokens.add(completion.completionTokens());
        }
        if (completion.firstTokenNanos() <= 0) {
            return;
        }
        double ttftMs = completion.firstTokenNanos() / 1e6;
        if (at != null && at.queuedAhead() <= 0) {
            // only requests that did not queue teach the prefill line (a queue's wait is modelled apart),
            // with the prompts they were prefilled with
            model.addPrefill(prompt + at.prefillAhead(), ttftMs);
            model.sampledAt(epochNanos(request.now()) + completion.durationNanos());
        }
        if (at != null && completion.completionTokens() >= 2
                && completion.durationNanos() > completion.firstTokenNanos()) {
            double perToken = (completion.durationNanos() - completion.firstTokenNanos()) / 1e6
                    / (completion.completionTokens() - 1);
            model.addDecode(at.batch(), perToken);
            model.sampledAt(epochNanos(request.now()) + completion.durationNanos());
        }
    }

    /** Dispatches waiting for their completion (for tests: the map stays bounded). */
    int pendingCount() {
        return pending.size();
    }

    private static double waiting(NodeSnapshot node, Instant now) {
        if (node.dataState(now) != DataState.FRESH) {
            return 0;
        }
        double w = node.telemetry().load().waiting();
        return Double.isNaN(w) ? 0 : Math.max(0, w);
    }

    /**
     * Requests ahead of a new one in the node's queue: the engine's waiting count when fresh, and,
     * once the node has been seen saturated with {@code slots} running, the requests this gateway
     * has outstanding there beyond those slots (exact, even between scrapes).
     */
    private static double queuedAhead(NodeSnapshot node, Instant now, double slots) {
        double queued = waiting(node, now);
        if (!Double.isNaN(slots)) {
            queued = Math.max(queued, node.outstanding() + 1 - slots);
        }
        return queued;
    }

    private long forgetBefore(Instant now) {
        return epochNanos(now) - settings.forgetAfterNanos();
    }

    private static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static int batch(NodeSnapshot node, Instant now) {
        double running = node.dataState(now) == DataState.FRESH ? node.telemetry().load().running() : Double.NaN;
        int r = Double.isNaN(running) ? 0 : (int) Math.max(0, Math.round(running));
        return Math.max(node.outstanding(), r) + 1;
    }

    private static Line scaled(Line line, double scale) {
        return new Line(line.base() * scale, line.slope() * scale);
    }

    /** The priors for one scoring pass: fleet-average fitted lines when there are any. */
    private Priors priors(List<NodeSnapshot> candidates, Instant now) {
        long cutoff = forgetBefore(now);
        double pb = 0;
        double ps = 0;
        double db = 0;
        double ds = 0;
        int np = 0;
        int nd = 0;
        for (NodeModel m : models.values()) {
            if (!m.sampledSince(cutoff)) {
                continue;
            }
            Line p = m.prefill(settings.minSamples(), settings.prefillPrior().slope());
            if (p != null) {
                pb += p.base();
                ps += p.slope();
                np++;
            }
            Line d = m.decode(settings.minSamples(), settings.decodePrior().slope());
            if (d != null) {
                db += d.base();
                ds += d.slope();
                nd++;
            }
        }
        double tflops = 0;
        int nt = 0;
        for (NodeSnapshot c : candidates) {
            if (c.facts() != null && c.facts().tflops() != null && c.facts().tflops() > 0) {
                tflops += c.facts().tflops();
                nt++;
            }
        }
        return new Priors(np > 0 ? new Line(pb / np, ps / np) : settings.prefillPrior(),
                nd > 0 ? new Line(db / nd, ds / nd) : settings.decodePrior(), nt > 0 ? tflops / nt : Double.NaN);
    }

    private record Priors(Line prefill, Line decode, double meanTflops) {
        double scale(NodeSnapshot node) {
            Double t = node.facts() == null ? null : node.facts().tflops();
            return t == null || !(t > 0) || Double.isNaN(meanTflops) ? 1 : meanTflops / t;
        }
    }

    /** What one node delivered; locked as a whole (a few arithmetic operations per call). */
    private static final class NodeModel {
        private final LinearFit prefill;
        private final LinearFit decode;
        private final EwMean promptTokens;
        /** The running count seen while requests waited (NaN until the node was seen saturated). */
        private double slots = Double.NaN;
        /** When a completion last taught the fit (epoch ns), Long.MIN_VALUE before any. */
        private long lastSample = Long.MIN_VALUE;
        /** Requests in prefill by id: {expected first token, epoch ns; prompt tokens}. */
        private final java.util.HashMap<Long, long[]> inPrefill = new java.util.HashMap<>();

        NodeModel(double decay) {
            prefill = new LinearFit(decay);
            decode = new LinearFit(decay);
            promptTokens = new EwMean(decay, Double.NaN);
        }

        synchronized void addPrefill(double tokens, double ms) {
            prefill.add(tokens, ms);
        }

        /** Prompt tokens of requests sent here and expected to be still in prefill until then. */
        synchronized void startPrefill(long request, long untilEpochNanos, int tokens) {
            if (inPrefill.size() < MAX_IN_PREFILL) {
                inPrefill.put(request, new long[] {untilEpochNanos, tokens});
            }
        }

        synchronized void endPrefill(long request) {
            inPrefill.remove(request);
        }

        /** The prompt tokens still expected in prefill at this time (forgets the ones past their time). */
        synchronized double prefillTokensAt(long epochNanos) {
            long sum = 0;
            for (var it = inPrefill.values().iterator(); it.hasNext(); ) {
                long[] e = it.next();
                if (e[0] <= epochNanos) {
                    it.remove();
                } else {
                    sum += e[1];
                }
            }
            return sum;
        }

        synchronized void sampledAt(long epochNanos) {
            lastSample = Math.max(lastSample, epochNanos);
        }

        /** Whether a completion taught the fit at or after this time. */
        synchronized boolean sampledSince(long epochNanos) {
            return lastSample >= epochNanos;
        }

        synchronized void saturatedAt(double running) {
            if (running >= 1 && (Double.isNaN(slots) || running > slots)) {
                slots = running;
            }
        }

        synchronized double slots() {
            return slots;
        }

        synchronized void addDecode(int batch, double ms) {
            decode.add(batch, ms);
        }

        void observePrompt(int tokens) {
            promptTokens.add(tokens);
        }

        double meanPromptTokens(double fallback) {
            double v = promptTokens.value();
            return Double.isNaN(v) ? fallback : v;
        }

        /** The fitted prefill line, or null before {@code minSamples}. */
        synchronized Line prefill(int minSamples, double priorSlope) {
            return prefill.count() < minSamples ? null : prefill.line(priorSlope);
        }

        synchronized Line decode(int minSamples, double priorSlope) {
            return decode.count() < minSamples ? null : decode.line(priorSlope);
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
