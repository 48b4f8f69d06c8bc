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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet as the gateway sees it: one {@link NodeSnapshot} per node, replaced atomically by
 * health events ({@link #markUp}, {@link #checkFailed}, {@link #connectionFailed},
 * {@link #requestFinished}, {@link #drain}), by load accounting ({@link #acquire}) and by telemetry
 * scrapes ({@link #publishTelemetry}). Each node's {@link NodeState} comes from its own state
 * machine; every change of state is logged at INFO and passed to the transition listeners. Nodes
 * start STARTING (down) until their first successful check.
 *
 * <p>Membership changes at run time: {@link #add} appends a node, {@link #remove} takes one out of
 * rotation at once and drops it when the requests in flight on it have finished, {@link #replace}
 * changes a node's facts in place or swaps it for a node at another URL in the same position.
 * Membership listeners hear every change ({@link MembershipEvent}). Events for a node that has
 * left (a late health check or scrape) are ignored. Thread-safe: reads are lock-free, membership
 * changes take one lock.
 */
public final class NodeRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

    private final Clock clock;
    private final Duration staleAfter;
    private final GatewayConfig.Health rules;
    /** Orders membership changes and their listeners; never taken on the request path except by a node's last release. */
    private final Object membership = new Object();
    private final Map<String, Entry> nodes = new ConcurrentHashMap<>();
    /** The fleet in order (configuration order, added nodes appended); replaced whole under {@link #membership}. */
    private volatile List<Entry> ordered;
    /** Every model a node in the fleet has reported: tells "unknown model" (404) from "no node up" (503). */
    private final Set<String> everServed = ConcurrentHashMap.newKeySet();
    private final List<Consumer<NodeTransition>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<MembershipEvent>> membershipListeners = new CopyOnWriteArrayList<>();
    private final LatencyOutliers outliers;
    /**
     * Whole response times of non-streamed requests, windowed like the times to first token but
     * never judged for outliers: they vary with the answer's length, so they only give a hedge its
     * p95 delay (a non-streamed request's first byte is its whole answer).
     */
    private final LatencyOutliers responseTimes;

    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock) {
        this(configured, clock, NodeSnapshot.DEFAULT_STALE_AFTER);
    }

    /** @param staleAfter telemetry older than this is stale (telemetry.staleAfter) */
    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock, Duration staleAfter) {
        this(configured, clock, staleAfter, GatewayConfig.Health.defaults());
    }

    /**
     * @param configured the nodes at start, validated (unique names)
     * @param staleAfter telemetry older than this is stale (telemetry.staleAfter)
     * @param rules      the state machine's thresholds (the health section)
     */
    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock, Duration staleAfter, GatewayConfig.Health rules) {
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.rules = rules;
        this.outliers = new LatencyOutliers(rules, clock);
        this.responseTimes = new LatencyOutliers(rules, clock);
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (GatewayConfig.Node n : configured) {
            byName.put(n.name(), newEntry(n));
        }
        this.nodes.putAll(byName);
        this.ordered = List.copyOf(byName.values());
    }

    private Entry newEntry(GatewayConfig.Node n) {
        NodeSnapshot initial = new NodeSnapshot(n.name(), n.uri(), false, Set.of(), facts(n), 0, clock.instant(),
                "not checked yet", TelemetrySnapshot.noData(staleAfter), NodeState.STARTING);
        return new Entry(initial, new NodeStateMachine(n.name(), rules, clock), n.serverKey());
    }

    private static NodeFacts facts(GatewayConfig.Node n) {
        return new NodeFacts(n.accelerator(), n.memoryGb(), n.tflops());
    }

    /** Calls the listener (on the thread that caused it, under the node's lock: keep it short) at every state change. */
    public void addTransitionListener(Consumer<NodeTransition> listener) {
        listeners.add(listener);
    }

    /**
     * Calls the listener at every membership change, in the order the changes happen: on the thread
     * that caused it (an admin request, the config watcher, or the release of a removed node's last
     * request), under the registry's membership lock. Keep it short, do no I/O and do not change
     * the membership from it. A listener that throws is logged and the others still run.
     */
    public void addMembershipListener(Consumer<MembershipEvent> listener) {
        membershipListeners.add(listener);
    }

    // ---------------------------------------------------------------- membership

    /**
     * Adds a node (validated, e.g. by {@code ConfigLoader.parseNode}) at the end of the fleet. It is
     * STARTING, out of rotation, until its first passed health check. Refused when a node with
     * that name exists (also while it is being removed) or another node uses that URL (compared
     * by scheme, host and port, so {@code http://h:1/} and {@code http://H:1} are the same).
     */
    public AddResult add(GatewayConfig.Node node) {
        synchronized (membership) {
            Conflict conflict = nameConflict(node.name());
            if (conflict == null) {
                conflict = urlConflict(node, null);
            }
            if (conflict != null) {
                return new AddResult.Rejected(conflict);
            }
            Entry e = newEntry(node);
            nodes.put(node.name(), e);
            List<Entry> list = new ArrayList<>(ordered);
            list.add(e);
            ordered = List.copyOf(list);
            NodeSnapshot s = e.ref.get();
            LOG.info("node {} added at {}: starting, out of rotation until its first passed health check",
                    s.name(), s.baseUrl());
            fire(new MembershipEvent.Added(s));
            return new AddResult.Added(s);
        }
    }

    /** {@link #remove(String, String)} with the reason "removed". */
    public RemoveResult remove(String name) {
        return remove(name, "removed");
    }

    /**
     * Removes a node: it takes no new requests from now on (DRAINING, whatever its health), the
     * requests in flight on it finish, and then it leaves the fleet (the snapshots, the names, the
     * membership listeners hear {@link MembershipEvent.Removed}). A pending replacement of the node
     * is dropped. Idempotent while pending.
     *
     * @param reason why, for the state transition and the log (e.g. "removed by the admin API")
     */
    public RemoveResult remove(String name, String reason) {
        synchronized (membership) {
            Entry e = nodes.get(name);
            if (e == null) {
                return new RemoveResult.Unknown(name);
            }
            e.successor = null;
            startRemoval(e, reason);
            if (tryFinalize(e)) {
                return new RemoveResult.Removed(e.ref.get());
            }
            NodeSnapshot s = e.ref.get();
            return new RemoveResult.Pending(s, s.outstanding());
        }
    }

    /**
     * Gives an existing node a new definition. The same URL with other facts changes the facts in
     * place (health, load and history kept). Another URL is another server: the old node is
     * removed as by {@link #remove} and the new one, STARTING, takes its place in the fleet's order
     * as soon as the old one has left (at once when nothing is in flight on it); refused when
     * another node uses the new URL.
     */
    public ReplaceResult replace(GatewayConfig.Node node) {
        synchronized (membership) {
            Entry e = nodes.get(node.name());
            if (e == null) {
                return new ReplaceResult.Unknown(node.name());
            }
            if (!e.removing && e.server.equals(node.serverKey())) {
                NodeFacts facts = facts(node);
                NodeSnapshot current = e.ref.get();
                if (facts.equals(current.facts())) {
                    return new ReplaceResult.Unchanged(current);
                }
                NodeSnapshot s = e.ref.updateAndGet(x -> x.withFacts(facts));
                LOG.info("node {} facts changed: {} -> {}", node.name(), current.facts(), facts);
                fire(new MembershipEvent.FactsChanged(s));
                return new ReplaceResult.FactsUpdated(s);
            }
            Conflict conflict = urlConflict(node, e);
            if (conflict != null) {
                return new ReplaceResult.Rejected(conflict);
            }
            e.successor = node;
            startRemoval(e, "replaced by " + node.url());
            if (tryFinalize(e)) {
                return new ReplaceResult.Replaced(nodes.get(node.name()).ref.get());
            }
            NodeSnapshot s = e.ref.get();
            return new ReplaceResult.Pending(s, s.outstanding());
        }
    }

    /** Whether the node is being removed (out of rotation, waiting for its requests in flight). */
    public boolean isRemoving(String name) {
        Entry e = nodes.get(name);
        return e != null && e.removing;
    }

    private Conflict nameConflict(String name) {
        Entry e = nodes.get(name);
        if (e == null) {
            return null;
        }
        NodeSnapshot s = e.ref.get();
        String why = e.removing
                ? "node '" + name + "' is being removed with " + s.outstanding()
                        + " request(s) in flight; add it again once it has left the fleet"
                : "node '" + name + "' exists at " + s.baseUrl();
        return new Conflict(Conflict.Kind.NAME_TAKEN, "name", name,
                "name: \"" + name + "\" (expected a name no other node has; " + why + ")");
    }

    /** The node that has (or is about to take) the URL, other than {@code except}; null when it is free. */
    private Conflict urlConflict(GatewayConfig.Node node, Entry except) {
        String key = node.serverKey();
        for (Entry e : ordered) {
            if (e == except) {
                continue;
            }
            String holder = null;
            if (e.server.equals(key)) {
                holder = "node '" + e.name() + "' has it";
            } else if (e.successor != null && e.successor.serverKey().equals(key)) {
                holder = "node '" + e.successor.name() + "' is about to take it";
            }
            if (holder != null) {
                return new Conflict(Conflict.Kind.URL_TAKEN, "url", node.url(),
                        "url: \"" + node.url() + "\" (expected a URL no other node uses; " + holder + ")");
            }
        }
        return null;
    }

    /** Caller holds {@link #membership}. */
    private void startRemoval(Entry e, String reason) {
        if (e.removing) {
            return;
        }
        e.removing = true;
        NodeSnapshot s = event(e, m -> m.drain(true, reason), NodeSnapshot::models, NodeSnapshot::contextLengths,
                false, null);
        LOG.info("node {} is being removed ({}): out of rotation, {} request(s) in flight", s.name(), reason,
                s.outstanding());
        fire(new MembershipEvent.Removing(s, s.outstanding(), reason));
    }

    /**
     * Drops a removing node once nothing is in flight on it, putting its successor (if any) in its
     * place. Caller holds {@link #membership}. The {@code gone} flag closes the race with a request
     * that picked the node just before the removal: {@link #acquire} counts first and then reads
     * the flag, this reads the count after setting it, so one of the two sees the other.
     */
    private boolean tryFinalize(Entry e) {
        if (e.gone) {
            return true;
        }
        if (!e.removing || e.ref.get().outstanding() > 0) {
            return false;
        }
        e.gone = true;
        if (e.ref.get().outstanding() > 0) {
            // a request counted itself in meanwhile: it runs, and its release finishes the removal
            e.gone = false;
            return false;
        }
        NodeSnapshot last = e.ref.get();
        String name = last.name();
        Entry successor = e.successor == null ? null : newEntry(e.successor);
        List<Entry> list = new ArrayList<>(ordered);
        int at = list.indexOf(e);
        if (successor == null) {
            list.remove(at);
            nodes.remove(name, e);
        } else {
            list.set(at, successor);
            nodes.put(name, successor);
        }
        ordered = List.copyOf(list);
        outliers.forget(name);
        responseTimes.forget(name);
        forgetModels(last.models());
        LOG.info("node {} has left the fleet", name);
        fire(new MembershipEvent.Removed(last));
        if (successor != null) {
            NodeSnapshot s = successor.ref.get();
            LOG.info("node {} added at {} in place of {}: starting, out of rotation until its first passed health check",
                    name, s.baseUrl(), last.baseUrl());
            fire(new MembershipEvent.Added(s));
        }
        return true;
    }

    /** A model only a removed node listed is unknown again (404 rather than 503). */
    private void forgetModels(Set<String> models) {
        for (String m : models) {
            boolean listed = false;
            for (Entry other : ordered) {
                listed |= other.ref.get().serves(m);
            }
            if (!listed) {
                everServed.remove(m);
            }
        }
    }

    private void fire(MembershipEvent event) {
        for (Consumer<MembershipEvent> l : membershipListeners) {
            try {
                l.accept(event);
            } catch (RuntimeException ex) {
                LOG.warn("membership listener failed on {}: {}", event, ex.toString(), ex);
            }
        }
    }

    // ---------------------------------------------------------------- reads

    /** The current snapshots in fleet order (configuration order, added nodes appended). */
    public List<NodeSnapshot> snapshots() {
        List<Entry> list = ordered;
        List<NodeSnapshot> out = new ArrayList<>(list.size());
        for (Entry e : list) {
            out.add(e.ref.get());
        }
        return out;
    }

    /** The snapshot of the named node, or null if no such node is in the fleet. */
    public NodeSnapshot snapshot(String name) {
        Entry e = nodes.get(name);
        return e == null ? null : e.ref.get();
    }

    /** The node names in fleet order (a copy). */
    public Set<String> names() {
        Set<String> out = new LinkedHashSet<>();
        for (Entry e : ordered) {
            out.add(e.name());
        }
        return Collections.unmodifiableSet(out);
    }

    /** True when a node in the fleet has reported this model at some time (even if none is up now). */
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

    // ---------------------------------------------------------------- health events

    /** A health check succeeded: the node serves these models; counts toward (re)entering rotation. */
    public void markUp(String name, Set<String> models) {
        markUp(name, models, Map.of());
    }

    /**
     * A health check succeeded: the node serves these models, with these context lengths (tokens per
     * request, by model id; a model left out has an unknown context); counts toward (re)entering rotation.
     */
    public void markUp(String name, Set<String> models, Map<String, Integer> contextLengths) {
        Entry e = nodes.get(name);
        if (e == null) {
            return;
        }
        everServed.addAll(models);
        Instant now = clock.instant();
        Map<String, Integer> contexts = Map.copyOf(contextLengths);
        event(e, m -> m.checkSucceeded(e.ref.get().dataState(now)), s -> models, s -> contexts, true, null);
        // samples age out even when the node gets no traffic, so each check re-judges its latency
        judgeLatency(e);
    }

    /**
     * A health check failed: after {@code health.unhealthyAfter} consecutive failures the node is
     * out of rotation. Its models are kept so that requests for them get "no node up" rather than
     * "unknown model".
     */
    public void checkFailed(String name, String reason) {
        event(name, m -> m.checkFailed(reason), NodeSnapshot::models, NodeSnapshot::contextLengths, true, reason);
    }

    /** A connection to the node failed while dispatching: out of rotation at once (passive health). */
    public void connectionFailed(String name, String reason) {
        event(name, m -> m.connectionFailed(reason), NodeSnapshot::models, NodeSnapshot::contextLengths, true,
                reason);
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
        event(name, m -> m.requestFinished(failed), NodeSnapshot::models, NodeSnapshot::contextLengths, false, null);
    }

    /**
     * A streamed request the node served for the model got its first token after this long (from
     * sending the request to the node). Recorded for latency-outlier detection, and the node is
     * judged against its peers at once: a node much slower than the fleet becomes DEGRADED.
     */
    public void latencySample(String name, String model, Duration timeToFirstToken) {
        Entry e = nodes.get(name);
        if (e == null) {
            return;
        }
        outliers.record(name, model, timeToFirstToken);
        judgeLatency(e);
    }

    /**
     * A non-streamed request the node served for the model answered in full after this long (from
     * sending the request to the node's last byte). Kept in the same window as the times to first
     * token ({@code health.outlierWindow}, at most the same number of samples) for hedge delays only.
     */
    public void responseTimeSample(String name, String model, Duration responseTime) {
        if (nodes.containsKey(name)) {
            responseTimes.record(name, model, responseTime);
        }
    }

    /**
     * The 95th percentile of the node's recent whole response times of non-streamed requests for the
     * model in ms, NaN with fewer than {@code health.outlierMinSamples} samples in the window.
     */
    public double p95ResponseTimeMillis(String name, String model) {
        return responseTimes.p95Millis(name, model);
    }

    /** The median recent time to first token of the node for the model in ms, NaN with too few samples. */
    public double medianTimeToFirstTokenMillis(String name, String model) {
        return outliers.medianMillis(name, model);
    }

    /** The 95th percentile of the node's recent times to first token for the model in ms, NaN with too few samples. */
    public double p95TimeToFirstTokenMillis(String name, String model) {
        return outliers.p95Millis(name, model);
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

    private void judgeLatency(Entry e) {
        String name = e.name();
        event(e, m -> m.latency(outliers.assess(name, m.slow(), this::isUp)), NodeSnapshot::models,
                NodeSnapshot::contextLengths, false, null);
    }

    private boolean isUp(String name) {
        Entry e = nodes.get(name);
        return e != null && e.ref.get().up();
    }

    /**
     * Drains (true) or undrains (false) the node: a draining node gets no new requests while its
     * in-flight ones finish; it stays draining across health checks until undrained. A node being
     * removed stays draining (undrain does nothing; see {@link #isRemoving}). Returns the new
     * snapshot, or null when there is no such node.
     */
    public NodeSnapshot drain(String name, boolean on) {
        Entry e = nodes.get(name);
        if (e == null) {
            return null;
        }
        if (e.removing) {
            return e.ref.get();
        }
        return event(e, m -> m.drain(on), NodeSnapshot::models, NodeSnapshot::contextLengths, false, null);
    }

    /** The node's recent request error rate (0 to 1), or NaN when too few requests were seen or there is no such node. */
    public double errorRate(String name) {
        Entry e = nodes.get(name);
        if (e == null) {
            return Double.NaN;
        }
        synchronized (e.machine) {
            return e.machine.errorRate();
        }
    }

    /**
     * Publishes a node's telemetry after a scrape: the engine load, GPU and host figures replace
     * the previous ones in one atomic step, keeping health and outstanding requests as they are.
     * {@code change} must be pure (it may run again under contention); returns what was published,
     * or null when the node is no longer in the fleet.
     */
    public TelemetrySnapshot publishTelemetry(String name, UnaryOperator<TelemetrySnapshot> change) {
        Entry e = nodes.get(name);
        if (e == null) {
            return null;
        }
        NodeSnapshot published = e.ref.updateAndGet(s -> s.withTelemetry(change.apply(s.telemetry())));
        DataState data = published.dataState(clock.instant());
        event(e, m -> m.telemetry(data), NodeSnapshot::models, NodeSnapshot::contextLengths, false, null);
        return published.telemetry();
    }

    /** The clock the registry stamps changes with (the gateway's). */
    public Clock clock() {
        return clock;
    }

    // ---------------------------------------------------------------- load accounting

    /**
     * Counts one more outstanding request on the node; the returned lease releases it exactly
     * once however often {@link Lease#release()} is called. Throws {@link IllegalArgumentException}
     * when the node is not (or no longer) in the fleet; the request path uses {@link #tryAcquire}.
     */
    public Lease acquire(String name) {
        Entry e = entry(name);
        Lease lease = acquire(e);
        if (lease == null) {
            throw new IllegalArgumentException("node '" + name + "' has left the fleet");
        }
        return lease;
    }

    /**
     * Counts one more outstanding request on the node the scheduler picked, if that node is still in
     * the fleet at the same URL (it may have left, or been replaced, since the snapshot was read);
     * empty otherwise, and then nothing was counted.
     */
    public Optional<Lease> tryAcquire(NodeSnapshot picked) {
        return tryAcquire(picked, 0);
    }

    /**
     * As {@link #tryAcquire(NodeSnapshot)}, also counting {@code tokens} in the node's
     * {@link NodeSnapshot#inFlightTokens()} until the lease is released (which takes exactly that
     * many away again).
     */
    public Optional<Lease> tryAcquire(NodeSnapshot picked, long tokens) {
        Entry e = nodes.get(picked.name());
        if (e == null || !e.ref.get().baseUrl().equals(picked.baseUrl())) {
            return Optional.empty();
        }
        return Optional.ofNullable(acquire(e, tokens));
    }

    private Lease acquire(Entry e) {
        return acquire(e, 0);
    }

    private Lease acquire(Entry e, long tokens) {
        long t = Math.max(0, tokens);
        e.ref.updateAndGet(s -> s.withLoad(s.outstanding() + 1, s.inFlightTokens() + t));
        if (e.gone) {
            release(e, t);
            return null;
        }
        return new Lease(this, e, t);
    }

    void release(Entry e, long tokens) {
        NodeSnapshot s = e.ref.updateAndGet(x -> x.withLoad(Math.max(0, x.outstanding() - 1),
                Math.max(0, x.inFlightTokens() - tokens)));
        if (e.removing && s.outstanding() == 0) {
            synchronized (membership) {
                tryFinalize(e);
            }
        }
    }

    private Entry entry(String name) {
        Entry e = nodes.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no node named '" + name + "' (known: " + names() + ")");
        }
        return e;
    }

    private NodeSnapshot event(String name, Function<NodeStateMachine, Optional<NodeTransition>> ev,
                               Function<NodeSnapshot, Set<String>> models,
                               Function<NodeSnapshot, Map<String, Integer>> contexts, boolean always, String error) {
        Entry e = nodes.get(name);
        return e == null ? null : event(e, ev, models, contexts, always, error);
    }

    /**
     * Runs one event through the node's state machine and publishes the result. The machine's lock
     * orders events of one node; the snapshot is replaced only when something visible changed.
     *
     * @param always publish even without a transition (checks refresh models and the last error)
     * @param error  the new last error when {@code always}; otherwise a transition's reason is kept
     */
    private NodeSnapshot event(Entry e, Function<NodeStateMachine, Optional<NodeTransition>> ev,
                               Function<NodeSnapshot, Set<String>> models,
                               Function<NodeSnapshot, Map<String, Integer>> contexts, boolean always, String error) {
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
            NodeSnapshot out = e.ref.updateAndGet(s -> s.withHealth(up, state, models.apply(s), contexts.apply(s), now,
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

    /** One node in the fleet: its published snapshot, its state machine and its membership flags. */
    private static final class Entry {
        final AtomicReference<NodeSnapshot> ref;
        final NodeStateMachine machine;
        /** {@link GatewayConfig.Node#serverKey()} of its URL, for the one-node-per-server rule. */
        final String server;
        /** Out of rotation for good, leaving once nothing is in flight. */
        volatile boolean removing;
        /** Has left the fleet: no request may count itself on it any more. */
        volatile boolean gone;
        /** The node that takes its place once it has left (a new URL for the name); guarded by the membership lock. */
        GatewayConfig.Node successor;

        Entry(NodeSnapshot initial, NodeStateMachine machine, String server) {
            this.ref = new AtomicReference<>(initial);
            this.machine = machine;
            this.server = server;
        }

        String name() {
            return ref.get().name();
        }
    }

    /** One outstanding request on one node; release is idempotent and thread-safe. */
    public static final class Lease {
        private final NodeRegistry registry;
        private final Entry entry;
        private final AtomicBoolean released = new AtomicBoolean();
        private final long tokens;

        private Lease(NodeRegistry registry, Entry entry, long tokens) {
            this.registry = registry;
            this.entry = entry;
            this.tokens = tokens;
        }

        public String node() {
            return entry.name();
        }

        /** The tokens this lease counts in the node's in-flight tokens. */
        public long tokens() {
            return tokens;
        }

        /** Returns true the first time, when it actually released the count. */
        public boolean release() {
            if (released.compareAndSet(false, true)) {
                registry.release(entry, tokens);
                return true;
            }
            return false;
        }
    }
}
