package dev.flotilla.gateway.observability;

import dev.flotilla.gateway.fleet.MembershipEvent;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.NodeTransition;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's own metrics, through Micrometer's Prometheus registry, in a registry instance of its
 * own (not a global one, so several gateways in one JVM, as in tests, do not mix). Every name starts
 * with {@code flotilla_}; docs/observability.md lists them with types, labels and units.
 *
 * <p>Per request: the outcome counter, end-to-end latency, and for streams time to first token and
 * inter-token latency, all by model and node, and tokens in and out. Latencies are real Prometheus
 * histograms with fixed buckets (vLLM's boundaries for TTFT and ITL, so gateway and node quantiles
 * have the same resolution). Per node: up, state, outstanding requests (gauges that follow the
 * registry's snapshots at every scrape, so nodes added or removed at runtime appear and vanish),
 * state transitions, and telemetry scrape durations and failures. {@link #removeNode} drops
 * everything of a node that left the fleet.
 */
public final class GatewayMetrics {
    /** Label value when no node was chosen, or the model is not one any node serves (bounded cardinality). */
    public static final String NONE = "none";

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** End-to-end latency: gateway errors take microseconds, long generations minutes. */
    static final double[] REQUEST_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    /** vLLM's {@code vllm:time_to_first_token_seconds} boundaries. */
    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
            5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    /** vLLM's {@code vllm:inter_token_latency_seconds} boundaries. */
    static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
            7.5, 10.0, 20.0, 40.0, 80.0};
    static final double[] SCRAPE_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

    static final String REQUESTS = "flotilla.requests";
    static final String REQUEST_DURATION = "flotilla.request.duration";
    static final String TIME_TO_FIRST_TOKEN = "flotilla.time.to.first.token";
    static final String INTER_TOKEN_LATENCY = "flotilla.inter.token.latency";
    static final String PROMPT_TOKENS = "flotilla.prompt.tokens";
    static final String GENERATION_TOKENS = "flotilla.generation.tokens";
    static final String SCRAPE_DURATION = "flotilla.scrape.duration";
    static final String SCRAPE_FAILURES = "flotilla.scrape.failures";
    static final String STATE_TRANSITIONS = "flotilla.node.state.transitions";
    static final String RETRIES = "flotilla.retries";
    static final String HEDGES = "flotilla.hedges";
    static final String CONTINUATIONS = "flotilla.stream.continuations";
    static final String RETRY_BUDGET_EXHAUSTED = "flotilla.retry.budget.exhausted";
    static final String CIRCUIT_TRANSITIONS = "flotilla.node.circuit.transitions";

    private static final Outcome[] OUTCOMES = Outcome.values();

    private final Supplier<List<NodeSnapshot>> snapshots;
    private final Predicate<String> everServed;
    static final String SCHEDULING_PLUGIN = "flotilla.scheduling.plugin";
    /** Scheduling plugin time buckets in seconds: 1 µs to 10 ms. */
    private static final double[] SCHEDULING_BUCKETS = {1e-6, 5e-6, 20e-6, 100e-6, 500e-6, 2e-3, 10e-3};
    private final PrometheusMeterRegistry registry;
    /** Per node, then per model: the hot path finds its meters with two map reads and no allocation. */
    private final Map<String, Map<String, Series>> series = new ConcurrentHashMap<>();
    private final MultiGauge nodeUp;
    private final MultiGauge nodeState;
    private final MultiGauge nodeOutstanding;
    private final MultiGauge nodeInFlightTokens;
    /** Orders gauge refreshes: a multi-gauge's row set must not be rebuilt by two threads at once. */
    private final Object gaugeLock = new Object();
    /** The snapshots taken at the latest refresh, by name: every gauge of one scrape reads the same view. */
    private volatile Map<String, NodeSnapshot> current = Map.of();

    /** Metrics over the registry's nodes, with the system clock for Micrometer's decaying maxima. */
    public GatewayMetrics(NodeRegistry nodes) {
        this(nodes, Clock.SYSTEM);
    }

    /**
     * @param clock Micrometer's clock; it only ages the {@code _max} gauges (observed durations
     *              come from the callers' tickers)
     */
    public GatewayMetrics(NodeRegistry nodes, Clock clock) {
        this(nodes::snapshots, nodes::everServed, clock);
        nodes.addTransitionListener(this::recordTransition);
        nodes.addMembershipListener(this::membershipChanged);
    }

    /**
     * @param snapshots  the fleet's current nodes, read at every scrape
     * @param everServed whether some node has reported a model (bounds the model label)
     */
    GatewayMetrics(Supplier<List<NodeSnapshot>> snapshots, Predicate<String> everServed, Clock clock) {
        this.snapshots = snapshots;
        this.everServed = everServed;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
        this.nodeUp = MultiGauge.builder("flotilla.node.up")
                .description("1 when the node passes its health checks (healthy or degraded underneath, drained or not)")
                .register(registry);
        this.nodeState = MultiGauge.builder("flotilla.node.state")
                .description("1 for the node's current state (starting, healthy, degraded, unhealthy, draining), 0 for the others")
                .register(registry);
        this.nodeOutstanding = MultiGauge.builder("flotilla.node.outstanding.requests")
                .description("Requests in flight on the node through this gateway (sent and not finished)")
                .register(registry);
        this.nodeInFlightTokens = MultiGauge.builder("flotilla.node.inflight.tokens")
                .description("Tokens of work in flight on the node through this gateway: estimated prompt tokens plus "
                        + "max_tokens (or 256) of each outstanding request")
                .register(registry);
        for (NodeSnapshot s : snapshots.get()) {
            // present from the start, so a rate over them works before the first failure
            scrapeFailures(s.name());
        }
        refreshNodeGauges(null);
    }

    /**
     * The model label for a requested model: the model itself when some node has ever reported
     * it, else {@link #NONE}, so that clients cannot create series with made-up names.
     */
    public String modelLabel(String requestedModel) {
        return requestedModel != null && everServed.test(requestedModel) ? requestedModel : NONE;
    }

    /**
     * The meters of one model on one node (both bounded label values: see {@link #modelLabel};
     * {@link #NONE} for no node). Cached: cheap enough to call per request.
     */
    public Series series(String model, String node) {
        Map<String, Series> byModel = series.get(node);
        if (byModel == null) {
            byModel = series.computeIfAbsent(node, n -> new ConcurrentHashMap<>());
        }
        Series s = byModel.get(model);
        if (s == null) {
            s = byModel.computeIfAbsent(model, m -> new Series(registry, m, node));
        }
        return s;
    }

    /** Records one finished request; {@code model} and {@code node} must be bounded label values. */
    public void record(String model, String node, Outcome outcome, double seconds) {
        series(model, node).request(outcome, (long) (seconds * 1e9));
    }

    /** Records one scrape of a node's {@code /metrics}; {@code node} is a node's name. */
    public void recordScrape(String node, double seconds, boolean ok) {
        Timer.builder(SCRAPE_DURATION)
                .description("Time to fetch and read one node's /metrics, failed scrapes included")
                .tag("node", node)
                .serviceLevelObjectives(durations(SCRAPE_BUCKETS))
                .register(registry)
                .record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
        Counter failures = scrapeFailures(node);
        if (!ok) {
            failures.increment();
        }
    }

    /** Counts one change of a node's state. */
    public void recordTransition(NodeTransition t) {
        Counter.builder(STATE_TRANSITIONS)
                .description("Changes of a node's state, by the state it left and the one it entered")
                .tags("node", t.node(), "from", t.from().label(), "to", t.to().label())
                .register(registry)
                .increment();
    }

    /**
     * Counts one retry of a request on another node; {@code model} must be a bounded label value
     * ({@link #modelLabel}), {@code reason} one of {@code unreachable}, {@code server_error},
     * {@code timeout}.
     */
    public void retry(String model, String reason) {
        Counter.builder(RETRIES)
                .description("Requests sent again to another node after a failure before the client received anything")
                .tags("model", model, "reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * Counts one hedge (a second copy of a slow stream on another node) by how it ended: {@code won}
     * (its output came first), {@code lost} (the first node's came first), {@code cancelled} (the
     * request ended otherwise) or {@code failed} (the hedge's node failed); {@code model} from {@link #modelLabel}.
     */
    public void hedge(String model, String outcome) {
        Counter.builder(HEDGES)
                .description("Second copies of slow streams sent to another node, by how they ended")
                .tags("model", model, "outcome", outcome)
                .register(registry)
                .increment();
    }

    /** Counts one stream continued on another node after its node failed mid-stream (also counted as a retry). */
    /**
     * {@code flotilla_stream_kept_bytes}: the bytes of sent streams the gateway keeps for continuations,
     * read from {@code used} at every scrape.
     */
    public void keptBytes(java.util.function.LongSupplier used) {
        // a strong reference: Micrometer holds a gauge's object weakly, and nothing else holds this supplier
        // (without it the gauge turned NaN after the first garbage collection)
        Gauge.builder("flotilla.stream.kept.bytes", used, u -> u.getAsLong())
                .description("Bytes of streams already sent that the gateway keeps to continue them on another node")
                .strongReference(true)
                .register(registry);
    }

    public void continuation(String model) {
        Counter.builder(CONTINUATIONS)
                .description("Streams continued on another node from the text already sent, after their node failed")
                .tags("model", model)
                .register(registry)
                .increment();
    }

    /**
     * The scheduling engine's plugin timers: {@code flotilla_scheduling_plugin_seconds} by profile,
     * kind (filter, scorer, picker), plugin type and place in the profile; bounded by the configured
     * profiles. Percentile histogram buckets are microseconds apart, as decisions take microseconds.
     */
    public dev.flotilla.gateway.scheduling.SchedulingMetrics schedulingMetrics() {
        return (profile, kind, type, place) -> {
            Timer t = Timer.builder(SCHEDULING_PLUGIN)
                    .description("Time a scheduling plugin took per decision (a filter: its pass over every node)")
                    .tags("profile", profile, "kind", kind, "plugin", type, "place", Integer.toString(place))
                    .serviceLevelObjectives(durations(SCHEDULING_BUCKETS))
                    .register(registry);
            return nanos -> t.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        };
    }

    /** Counts one retry refused because the retry budget (a share of recent requests) was spent. */
    public void retryBudgetExhausted() {
        Counter.builder(RETRY_BUDGET_EXHAUSTED)
                .description("Retries not made because retries already reached their share of recent requests")
                .register(registry)
                .increment();
    }

    /** Counts one change of a node's circuit breaker ({@code closed}, {@code open}, {@code half_open}). */
    public void circuitTransition(String node, String to) {
        Counter.builder(CIRCUIT_TRANSITIONS)
                .description("Changes of a node's circuit breaker, by the state it entered")
                .tags("node", node, "to", to)
                .register(registry)
                .increment();
    }

    /**
     * Keeps the per-node series in step with the fleet: a node that joins gets its scrape failure
     * counter at 0 (as configured nodes do at start); a node that has left loses every series
     * labelled with its name ({@link #removeNode}).
     */
    public void membershipChanged(MembershipEvent event) {
        if (event instanceof MembershipEvent.Added added) {
            scrapeFailures(added.node());
        } else if (event instanceof MembershipEvent.Removed removed) {
            removeNode(removed.node());
        }
    }

    /**
     * Forgets a node that left the fleet: removes every series labelled with its name (requests,
     * latencies, tokens, scrapes, transitions, gauges). Call it after the node is gone from the
     * {@link NodeRegistry}; the per-node gauges also drop a vanished node at the next scrape on their
     * own. A request still in flight on the node when it is removed records its series again when
     * it finishes; call this once more after draining if that matters.
     */
    public void removeNode(String node) {
        synchronized (gaugeLock) {
            refreshNodeGauges(node);
        }
        series.remove(node);
        List<Meter> gone = new ArrayList<>();
        for (Meter m : registry.getMeters()) {
            // gauges belong to the multi-gauges, which removed them above and must stay their only owner
            if (!(m instanceof Gauge) && node.equals(m.getId().getTag("node"))) {
                gone.add(m);
            }
        }
        gone.forEach(registry::remove);
    }

    /** The Prometheus text exposition (format 0.0.4) of every metric. */
    public String scrape() {
        synchronized (gaugeLock) {
            refreshNodeGauges(null);
        }
        return registry.scrape();
    }

    /** The Micrometer registry, for binding other meters (JVM, Vert.x) into the same {@code /metrics}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private Counter scrapeFailures(String node) {
        return Counter.builder(SCRAPE_FAILURES)
                .description("Scrapes of a node's /metrics that failed (no answer in time, non-200, unreadable)")
                .tag("node", node)
                .register(registry);
    }

    /**
     * Makes the per-node gauges match the fleet's current nodes: rows of new nodes appear, rows of
     * nodes no longer there disappear, and every row reads its value from the snapshots taken here.
     */
    private void refreshNodeGauges(String except) {
        Map<String, NodeSnapshot> now = new LinkedHashMap<>();
        for (NodeSnapshot s : snapshots.get()) {
            if (!s.name().equals(except)) {
                now.put(s.name(), s);
            }
        }
        current = now;
        List<MultiGauge.Row<?>> up = new ArrayList<>(now.size());
        List<MultiGauge.Row<?>> state = new ArrayList<>(now.size() * NodeState.values().length);
        List<MultiGauge.Row<?>> outstanding = new ArrayList<>(now.size());
        List<MultiGauge.Row<?>> tokens = new ArrayList<>(now.size());
        for (String name : now.keySet()) {
            Tags tags = Tags.of("node", name);
            up.add(MultiGauge.Row.of(tags, this, read(name, n -> n.up() ? 1 : 0)));
            outstanding.add(MultiGauge.Row.of(tags, this, read(name, NodeSnapshot::outstanding)));
            tokens.add(MultiGauge.Row.of(tags, this, read(name, NodeSnapshot::inFlightTokens)));
            for (NodeState st : NodeState.values()) {
                state.add(MultiGauge.Row.of(tags.and("state", st.label()), this, read(name, n -> n.state() == st ? 1 : 0)));
            }
        }
        // rows already registered stay (their functions read the refreshed view); missing ones go
        nodeUp.register(up, false);
        nodeState.register(state, false);
        nodeOutstanding.register(outstanding, false);
        nodeInFlightTokens.register(tokens, false);
    }

    private static ToDoubleFunction<GatewayMetrics> read(String node, ToDoubleFunction<NodeSnapshot> value) {
        return metrics -> {
            NodeSnapshot s = metrics.current.get(node);
            return s == null ? Double.NaN : value.applyAsDouble(s);
        };
    }

    static Duration[] durations(double[] seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }

    /**
     * The meters of one model on one node, looked up once per request: record through it without
     * any further lookup. Thread-safe.
     */
    public static final class Series {
        private final PrometheusMeterRegistry registry;
        private final String model;
        private final String node;
        private final Timer duration;
        private final Timer timeToFirstToken;
        private final Timer interTokenLatency;
        private final Counter promptTokens;
        private final Counter generationTokens;
        /** Created on first use, so only outcomes that happened are exposed. */
        private final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(OUTCOMES.length);

        Series(PrometheusMeterRegistry registry, String model, String node) {
            this.registry = registry;
            this.model = model;
            this.node = node;
            Tags tags = Tags.of("model", model, "node", node);
            this.duration = Timer.builder(REQUEST_DURATION)
                    .description("Time from receiving a request to the end of its answer, by model and node")
                    .tags(tags).serviceLevelObjectives(durations(REQUEST_BUCKETS)).register(registry);
            if (NONE.equals(node)) {
                // no node, no answer: only the request counter and its duration
                this.timeToFirstToken = null;
                this.interTokenLatency = null;
                this.promptTokens = null;
                this.generationTokens = null;
                return;
            }
            this.timeToFirstToken = Timer.builder(TIME_TO_FIRST_TOKEN)
                    .description("Streamed requests: time from receiving the request to forwarding the first event with output")
                    .tags(tags).serviceLevelObjectives(durations(TTFT_BUCKETS)).register(registry);
            this.interTokenLatency = Timer.builder(INTER_TOKEN_LATENCY)
                    .description("Streamed requests: time between consecutive events with output")
                    .tags(tags).serviceLevelObjectives(durations(ITL_BUCKETS)).register(registry);
            this.promptTokens = Counter.builder(PROMPT_TOKENS)
                    .description("Prompt tokens of answered requests, from the node's usage")
                    .baseUnit("tokens").tags(tags).register(registry);
            this.generationTokens = Counter.builder(GENERATION_TOKENS)
                    .description("Generated tokens, from the node's usage, else one per streamed event with output")
                    .baseUnit("tokens").tags(tags).register(registry);
        }

        /** One finished request: its outcome and its end-to-end time. */
        public void request(Outcome outcome, long nanos) {
            Counter c = requests.get(outcome.ordinal());
            if (c == null) {
                // the registry returns the same counter to racing callers
                c = Counter.builder(REQUESTS)
                        .description("Inference requests through the gateway by model, node and outcome")
                        .tags("model", model, "node", node, "outcome", outcome.label())
                        .register(registry);
                requests.set(outcome.ordinal(), c);
            }
            c.increment();
            duration.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }

        /** A stream's first event with output came this long after the request arrived. */
        public void timeToFirstToken(long nanos) {
            if (timeToFirstToken != null) {
                timeToFirstToken.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            }
        }

        /** One gap between consecutive events with output of a stream. */
        public void interTokenLatency(long nanos) {
            if (interTokenLatency != null) {
                interTokenLatency.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
            }
        }

        /** Tokens of one request; a negative count (unknown) is skipped. */
        public void tokens(long prompt, long generated) {
            if (promptTokens == null) {
                return;
            }
            if (prompt > 0) {
                promptTokens.increment(prompt);
            }
            if (generated > 0) {
                generationTokens.increment(generated);
            }
        }
    }
}
