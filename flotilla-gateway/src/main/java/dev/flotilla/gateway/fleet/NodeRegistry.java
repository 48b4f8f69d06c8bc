package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as the gateway sees it: one {@link NodeSnapshot} per configured node, replaced
 * atomically by health events ({@link #markUp}, {@link #checkFailed}, {@link #connectionFailed},
 * {@link #requestFinished}, {@link #drain}), by load accounting ({@link #acquire}) and by telemetry
 * scrapes ({@link #publishTelemetry}). Each node's {@link NodeState} comes from its own state
 * machine; every change of state is logged at INFO and passed to the transition listeners. Nodes
 * start STARTING (down) until their first successful check. Thread-safe.
 */
public final class NodeRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

    private final Clock clock;
    private final Map<String, Entry> nodes;
    private final List<Entry> ordered;
    /** Every model any node has ever reported: tells "unknown model" (404) from "no node up" (503). */
    private final Set<String> everServed = ConcurrentHashMap.newKeySet();
    private final List<Consumer<NodeTransition>> listeners = new CopyOnWriteArrayList<>();
    private final LatencyOutliers outliers;

    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock) {
        this(configured, clock, NodeSnapshot.DEFAULT_STALE_AFTER);
    }

    /** @param staleAfter telemetry older than this is stale (telemetry.staleAfter) */
    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock, Duration staleAfter) {
        this(configured, clock, staleAfter, GatewayConfig.Health.defaults());
    }

    /**
     * @param staleAfter telemetry older than this is stale (telemetry.staleAfter)
     * @param rules      the state machine's thresholds (the health section)
     */
    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock, Duration staleAfter, GatewayConfig.Health rules) {
        this.clock = clock;
        this.outliers = new LatencyOutliers(rules, clock);
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (GatewayConfig.Node n : configured) {
            NodeSnapshot initial = new NodeSnapshot(n.name(), n.uri(), false, Set.of(),
                    new NodeFacts(n.accelerator(), n.memoryGb(), n.tflops()), 0, clock.instant(), "not checked yet",
                    TelemetrySnapshot.noData(staleAfter), NodeState.STARTING);
            byName.put(n.name(), new Entry(new AtomicReference<>(initial), new NodeStateMachine(n.name(), rules, clock)));
        }
        this.nodes = Collections.unmodifiableMap(byName);
        this.ordered = List.copyOf(byName.values());
    }

    /** Calls the listener (on the thread that caused it, under the node's lock: keep it short) at every state change. */
    public void addTransitionListener(Consumer<NodeTransition> listener) {
        listeners.add(listener);
    }

    /** The current snapshots in configuration order. */
    public List<NodeSnapshot> snapshots() {
        List<NodeSnapshot> out = new ArrayList<>(ordered.size());
        for (Entry e : ordered) {
            out.add(e.ref.get());
        }
        return out;
    }

    /** The snapshot of the named node, or null if no such node is configured. */
    public NodeSnapshot snapshot(String name) {
        Entry e = nodes.get(name);
        return e == null ? null : e.ref.get();
    }

    public Set<String> names() {
        return nodes.keySet();
    }

    /** True when some node has reported this model at some time (even if none is up now). */
    public boolean everServed(String model) {
        return everServed.contains(model);
    }

    /** The union of the models served by nodes in rotation (healthy or degraded, not draining), sorted. */
    public Set<String> modelsUp() {
        Set<String> out = new TreeSet<>();
        for (Entry e : ordered) {
            NodeSnapshot s = e.ref.get();
            if (s.state().routable()) {
                out.addAll(s.models());
            }
        }
        return out;
    }

    public int upCount() {
        int up = 0;
        for (Entry e : ordered) {
            if (e.ref.get().up()) {
                up++;
            }
        }
        return up;
    }

    public int size() {
        return ordered.size();
    }

    /** A health check succeeded: the node serves these models; counts toward (re)entering rotation. */
    public void markUp(String name, Set<String> models) {
        everServed.addAll(models);
        Instant now = clock.instant();
        event(name, m -> m.checkSucceeded(snapshotOf(name).dataState(now)), s -> models, true, null);
        // samples age out even when the node gets no traffic, so each check re-judges its latency
        judgeLatency(name);
    }

    /**
     * A health check failed: after {@code health.unhealthyAfter} consecutive failures the node is
     * out of rotation. Its models are kept so that requests for them get "no node up" rather than
     * "unknown model".
     */
    public void checkFailed(String name, String reason) {
        event(name, m -> m.checkFailed(reason), NodeSnapshot::models, true, reason);
    }

    /** A connection to the node failed while dispatching: out of rotation at once (passive health). */
    public void connectionFailed(String name, String reason) {
        event(name, m -> m.connectionFailed(reason), NodeSnapshot::models, true, reason);
    }

    /** The same as {@link #connectionFailed}: the node is out of rotation until enough checks pass. */
    public void markDown(String name, String reason) {
        connectionFailed(name, reason);
    }

    /**
     * A request the node served has ended; {@code failed} when the node answered 5xx, could not be
     * reached or went quiet. Feeds the consecutive-failure count and the error rate window.
     */
    public void requestFinished(String name, boolean failed) {
        event(name, m -> m.requestFinished(failed), NodeSnapshot::models, false, null);
    }

    /**
     * A streamed request the node served for the model got its first token after this long (from
     * sending the request to the node). Recorded for latency-outlier detection, and the node is
     * judged against its peers at once: a node much slower than the fleet becomes DEGRADED.
     */
    public void latencySample(String name, String model, Duration timeToFirstToken) {
        entry(name);
        outliers.record(name, model, timeToFirstToken);
        judgeLatency(name);
    }

    /** The median recent time to first token of the node for the model in ms, NaN with too few samples. */
    public double medianTimeToFirstTokenMillis(String name, String model) {
        return outliers.medianMillis(name, model);
    }

    /**
     * The node's median recent time to first token per model in ms (models with at least
     * {@code health.outlierMinSamples} samples in the window); empty for an unknown node.
     */
    public Map<String, Double> medianTimesToFirstTokenMillis(String name) {
        return outliers.medians(name);
    }

    /**
     * Per model, the fleet's median time to first token in ms that outlier detection compares nodes
     * with: the median of the medians of the nodes passing their checks (models with fewer than two
     * such nodes are absent).
     */
    public Map<String, Double> fleetMedianTimesToFirstTokenMillis() {
        return outliers.fleetMedians(this::isUp);
    }

    private void judgeLatency(String name) {
        event(name, m -> m.latency(outliers.assess(name, m.slow(), this::isUp)), NodeSnapshot::models, false, null);
    }

    private boolean isUp(String name) {
        Entry e = nodes.get(name);
        return e != null && e.ref.get().up();
    }

    /**
     * Drains (true) or undrains (false) the node: a draining node gets no new requests while its
     * in-flight ones finish; it stays draining across health checks until undrained. Returns the
     * new snapshot, or null when there is no such node.
     */
    public NodeSnapshot drain(String name, boolean on) {
        if (!nodes.containsKey(name)) {
            return null;
        }
        return event(name, m -> m.drain(on), NodeSnapshot::models, false, null);
    }

    /** The node's recent request error rate (0 to 1), or NaN when too few requests were seen. */
    public double errorRate(String name) {
        Entry e = entry(name);
        synchronized (e.machine) {
            return e.machine.errorRate();
        }
    }

    /**
     * Publishes a node's telemetry after a scrape: the engine load, GPU and host figures replace
     * the previous ones in one atomic step, keeping health and outstanding requests as they are.
     * {@code change} must be pure (it may run again under contention); returns what was published.
     */
    public TelemetrySnapshot publishTelemetry(String name, java.util.function.UnaryOperator<TelemetrySnapshot> change) {
        NodeSnapshot published = update(name, s -> s.withTelemetry(change.apply(s.telemetry())));
        DataState data = published.dataState(clock.instant());
        event(name, m -> m.telemetry(data), NodeSnapshot::models, false, null);
        return published.telemetry();
    }

    /** The clock the registry stamps changes with (the gateway's). */
    public Clock clock() {
        return clock;
    }

    /**
     * Counts one more outstanding request on the node; the returned lease releases it exactly
     * once however often {@link Lease#release()} is called.
     */
    public Lease acquire(String name) {
        update(name, s -> s.withOutstanding(s.outstanding() + 1));
        return new Lease(this, name);
    }

    void release(String name) {
        update(name, s -> s.withOutstanding(Math.max(0, s.outstanding() - 1)));
    }

    private NodeSnapshot update(String name, UnaryOperator<NodeSnapshot> change) {
        return entry(name).ref.updateAndGet(change);
    }

    private NodeSnapshot snapshotOf(String name) {
        return entry(name).ref.get();
    }

    private Entry entry(String name) {
        Entry e = nodes.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no node named '" + name + "' (known: " + nodes.keySet() + ")");
        }
        return e;
    }

    /**
     * Runs one event through the node's state machine and publishes the result. The machine's lock
     * orders events of one node; the snapshot is replaced only when something visible changed.
     *
     * @param always publish even without a transition (checks refresh models and the last error)
     * @param error  the new last error when {@code always}; otherwise a transition's reason is kept
     */
    private NodeSnapshot event(String name, Function<NodeStateMachine, Optional<NodeTransition>> ev,
                               Function<NodeSnapshot, Set<String>> models, boolean always, String error) {
        Entry e = entry(name);
        synchronized (e.machine) {
            Optional<NodeTransition> t = ev.apply(e.machine);
            if (t.isEmpty() && !always) {
                return e.ref.get();
            }
            boolean up = e.machine.up();
            NodeState state = e.machine.state();
            Instant now = clock.instant();
            String why = always ? error : t.get().to() == NodeState.UNHEALTHY ? t.get().reason() : null;
            // a passed check clears the error only once the node is back; until then the reason it went out stays
            NodeSnapshot out = e.ref.updateAndGet(s -> s.withHealth(up, state, models.apply(s), now,
                    always ? (why != null || up ? why : s.lastError()) : why != null ? why : s.lastError()));
            t.ifPresent(this::announce);
            return out;
        }
    }

    private void announce(NodeTransition t) {
        LOG.info("node {} state {} -> {}: {}", t.node(), t.from().label(), t.to().label(), t.reason());
        for (Consumer<NodeTransition> l : listeners) {
            l.accept(t);
        }
    }

    private record Entry(AtomicReference<NodeSnapshot> ref, NodeStateMachine machine) {
    }

    /** One outstanding request on one node; release is idempotent and thread-safe. */
    public static final class Lease {
        private final NodeRegistry registry;
        private final String node;
        private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

        private Lease(NodeRegistry registry, String node) {
            this.registry = registry;
            this.node = node;
        }

        public String node() {
            return node;
        }

        /** Returns true the first time, when it actually released the count. */
        public boolean release() {
            if (released.compareAndSet(false, true)) {
                registry.release(node);
                return true;
            }
            return false;
        }
    }
}
