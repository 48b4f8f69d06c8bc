package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fleet as the gateway sees it: one {@link NodeSnapshot} per configured node, replaced
 * atomically by health checks ({@link #markUp}, {@link #markDown}), by load accounting
 * ({@link #acquire}) and by telemetry scrapes ({@link #publishTelemetry}). Nodes start down until their first successful check. Thread-safe.
 */
public final class NodeRegistry {
    private final Clock clock;
    private final Map<String, AtomicReference<NodeSnapshot>> nodes;
    private final List<AtomicReference<NodeSnapshot>> ordered;
    /** Every model any node has ever reported: tells "unknown model" (404) from "no node up" (503). */
    private final Set<String> everServed = ConcurrentHashMap.newKeySet();

    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock) {
        this(configured, clock, NodeSnapshot.DEFAULT_STALE_AFTER);
    }

    /** @param staleAfter telemetry older than this is stale (telemetry.staleAfter) */
    public NodeRegistry(List<GatewayConfig.Node> configured, Clock clock, java.time.Duration staleAfter) {
        this.clock = clock;
        Map<String, AtomicReference<NodeSnapshot>> byName = new LinkedHashMap<>();
        for (GatewayConfig.Node n : configured) {
            NodeSnapshot initial = new NodeSnapshot(n.name(), n.uri(), false, Set.of(),
                    new NodeFacts(n.accelerator(), n.memoryGb(), n.tflops()), 0, clock.instant(), "not checked yet",
                    TelemetrySnapshot.noData(staleAfter));
            byName.put(n.name(), new AtomicReference<>(initial));
        }
        this.nodes = Collections.unmodifiableMap(byName);
        this.ordered = List.copyOf(byName.values());
    }

    /** The current snapshots in configuration order. */
    public List<NodeSnapshot> snapshots() {
        List<NodeSnapshot> out = new ArrayList<>(ordered.size());
        for (AtomicReference<NodeSnapshot> ref : ordered) {
            out.add(ref.get());
        }
        return out;
    }

    /** The snapshot of the named node, or null if no such node is configured. */
    public NodeSnapshot snapshot(String name) {
        AtomicReference<NodeSnapshot> ref = nodes.get(name);
        return ref == null ? null : ref.get();
    }

    public Set<String> names() {
        return nodes.keySet();
    }

    /** True when some node has reported this model at some time (even if none is up now). */
    public boolean everServed(String model) {
        return everServed.contains(model);
    }

    /** The union of the models served by nodes that are up, sorted. */
    public Set<String> modelsUp() {
        Set<String> out = new TreeSet<>();
        for (AtomicReference<NodeSnapshot> ref : ordered) {
            NodeSnapshot s = ref.get();
            if (s.up()) {
                out.addAll(s.models());
            }
        }
        return out;
    }

    public int upCount() {
        int up = 0;
        for (AtomicReference<NodeSnapshot> ref : ordered) {
            if (ref.get().up()) {
                up++;
            }
        }
        return up;
    }

    public int size() {
        return ordered.size();
    }

    /** A health check succeeded: the node is up and serves these models. */
    public void markUp(String name, Set<String> models) {
        everServed.addAll(models);
        update(name, s -> s.withHealth(true, models, clock.instant(), null));
    }

    /**
     * The node failed a health check or a connection: it is skipped until a check succeeds. Its
     * models are kept so that requests for them get "no node up" rather than "unknown model".
     */
    public void markDown(String name, String reason) {
        update(name, s -> s.withHealth(false, s.models(), clock.instant(), reason));
    }

    /**
     * Publishes a node's telemetry after a scrape: the engine load, GPU and host figures replace
     * the previous ones in one atomic step, keeping health and outstanding requests as they are.
     * {@code change} must be pure (it may run again under contention); returns what was published.
     */
    public TelemetrySnapshot publishTelemetry(String name, java.util.function.UnaryOperator<TelemetrySnapshot> change) {
        return update(name, s -> s.withTelemetry(change.apply(s.telemetry()))).telemetry();
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

    private NodeSnapshot update(String name, java.util.function.UnaryOperator<NodeSnapshot> change) {
        AtomicReference<NodeSnapshot> ref = nodes.get(name);
        if (ref == null) {
            throw new IllegalArgumentException("no node named '" + name + "' (known: " + nodes.keySet() + ")");
        }
        return ref.updateAndGet(change);
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
