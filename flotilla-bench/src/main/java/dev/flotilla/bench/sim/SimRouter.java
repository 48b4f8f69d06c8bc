package dev.flotilla.bench.sim;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's routing inside the simulator, and the only class that speaks the gateway's
 * scheduling API: it keeps one immutable {@link NodeSnapshot} per node, as the gateway's node
 * registry does (outstanding requests exact, telemetry as last published), and asks the
 * {@link Scheduler} for candidates and a pick exactly as the gateway's request pipeline does.
 */
final class SimRouter {
    private static final Instant START = Instant.EPOCH;

    private final Scheduler scheduler;
    private final String model;
    private final Set<String> models;
    private final List<SimNode> nodes;
    private final URI[] urls;
    private final NodeSnapshot[] snapshots;
    /** A read-only view of {@link #snapshots}: replacing an element is what publishing a snapshot means. */
    private final List<NodeSnapshot> view;
    private final Map<String, SimNode> byName = new HashMap<>();

    SimRouter(Scheduler scheduler, List<SimNode> nodes, String model) {
        this.scheduler = scheduler;
        this.model = model;
        this.models = Set.of(model);
        this.nodes = List.copyOf(nodes);
        this.urls = new URI[nodes.size()];
        this.snapshots = new NodeSnapshot[nodes.size()];
        for (SimNode node : nodes) {
            urls[node.index] = URI.create("http://" + node.name + ".sim.invalid");
            byName.put(node.name, node);
            refresh(node);
        }
        this.view = Collections.unmodifiableList(Arrays.asList(snapshots));
    }

    /** The node the gateway's scheduler picks for {@code request}, or null when no node passes its filters. */
    SimNode route(InferenceRequest request) {
        List<NodeSnapshot> candidates = scheduler.candidates(request, view, Set.of());
        Optional<NodeSnapshot> picked = scheduler.pick(candidates, request);
        return picked.map(s -> byName.get(s.name())).orElse(null);
    }

    /** Replaces the node's snapshot after its outstanding count or its telemetry changed. */
    void refresh(SimNode node) {
        snapshots[node.index] = new NodeSnapshot(node.name, urls[node.index], true, models, node.facts,
                node.outstanding, START, null, node.telemetry, NodeState.HEALTHY);
    }

    /** Every node's snapshot as the router sees it now. */
    List<NodeSnapshot> snapshots() {
        return List.copyOf(view);
    }

    /**
     * The request the gateway would parse from what the live bench sends: streamed with usage, the
     * prompt as one user message (chat) or as the prompt (completions), {@code max_tokens}, and no
     * temperature, seed or stop (so the defaults).
     */
    InferenceRequest request(Endpoint endpoint, String prompt, int maxTokens) {
        boolean chat = endpoint == Endpoint.CHAT;
        return new InferenceRequest(endpoint, model, chat ? List.of(new ChatMessage("user", prompt)) : null,
                chat ? null : prompt, true, true, maxTokens, InferenceRequest.DEFAULT_TEMPERATURE,
                InferenceRequest.DEFAULT_TOP_P, null, List.of());
    }

    String policy() {
        return scheduler.policy();
    }

    List<SimNode> nodes() {
        return nodes;
    }
}
