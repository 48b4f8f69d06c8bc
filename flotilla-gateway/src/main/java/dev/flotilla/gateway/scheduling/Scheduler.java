package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scheduling engine: runs the filters over node snapshots to get the candidates, then lets
 * the picker choose. Reads snapshots only; never does I/O.
 */
public final class Scheduler {
    private final List<Filter> filters;
    private final Picker picker;
    private final Clock clock;
    private final AtomicLong ids = new AtomicLong();

    public Scheduler(List<Filter> filters, Picker picker, Clock clock) {
        this.filters = List.copyOf(filters);
        this.picker = picker;
        this.clock = clock;
    }

    public Scheduler(List<Filter> filters, Picker picker) {
        this(filters, picker, Clock.systemUTC());
    }

    /** The request as the plugins see it, stamped with this scheduler's clock and a new id. */
    public SchedulingRequest describe(InferenceRequest request, String sessionKey) {
        return new SchedulingRequest(ids.incrementAndGet(), request, sessionKey, clock.instant());
    }

    /** The default chain (healthy, serves-model) with the picker named by {@code policy}. */
    public static Scheduler of(SchedulingPlugins plugins, String policy) {
        return new Scheduler(List.of(plugins.filter(HealthyFilter.TYPE), plugins.filter(ServesModelFilter.TYPE)),
                plugins.picker(policy));
    }

    /**
     * The nodes that pass every filter, leaving out the excluded names (nodes already tried). When
     * some of them are HEALTHY, the DEGRADED ones are left out too: a degraded node takes requests
     * only when no healthy one can.
     */
    public List<NodeSnapshot> candidates(SchedulingRequest request, List<NodeSnapshot> nodes, Set<String> excluded) {
        List<NodeSnapshot> out = new ArrayList<>(nodes.size());
        outer:
        for (NodeSnapshot node : nodes) {
            if (excluded.contains(node.name())) {
                continue;
            }
            for (Filter f : filters) {
                if (!f.accept(node, request)) {
                    continue outer;
                }
            }
            out.add(node);
        }
        boolean anyHealthy = false;
        for (NodeSnapshot node : out) {
            anyHealthy |= node.state() == NodeState.HEALTHY;
        }
        if (anyHealthy) {
            out.removeIf(node -> node.state() == NodeState.DEGRADED);
        }
        return out;
    }

    public Optional<NodeSnapshot> pick(List<NodeSnapshot> candidates, SchedulingRequest request) {
        int i = picker.pick(request, candidates, new double[candidates.size()]);
        return i < 0 ? Optional.empty() : Optional.of(candidates.get(i));
    }

    public String policy() {
        return picker.type();
    }
}
