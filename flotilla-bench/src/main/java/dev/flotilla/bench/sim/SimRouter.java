package dev.flotilla.bench.sim;

import dev.flotilla.engine.EngineState;
import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.telemetry.CounterRate;
import dev.flotilla.gateway.fleet.telemetry.EngineKind;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The gateway's routing inside the simulator, and the one class that speaks the gateway's API: it
 * keeps one immutable {@link NodeSnapshot} per node as the gateway's node registry does
 * (outstanding requests exact, telemetry as the scraper last published it), and asks the
 * {@link Scheduler} for candidates and a pick with the arguments the gateway's request pipeline
 * passes. A new scheduling framework changes this class and nothing else.
 */
final class SimRouter {
    private static final Instant START = Instant.EPOCH;

    private final Scheduler scheduler;
    private final String model;
    private final Set<String> models;
    private final URI[] urls;
    private final NodeFacts[] facts;
    private final TelemetrySnapshot[] telemetry;
    private final NodeSnapshot[] snapshots;
    /** A read-only view of {@link #snapshots}: replacing an element is what publishing a snapshot means. */
    private final List<NodeSnapshot> view;
    private final Map<String, SimNode> byName = new HashMap<>();
    private final SimNode[] nodes;

    /**
     * @throws IllegalArgumentException naming the known policies when {@code policy} is not one of
     *                                  {@code plugins}' pickers
     */
    SimRouter(SchedulingPlugins plugins, String policy, List<SimNode> nodes, String model, Duration staleAfter) {
        this.scheduler = Scheduler.of(plugins, policy);
        this.model = model;
        this.models = Set.of(model);
        this.nodes = nodes.toArray(SimNode[]::new);
        this.urls = new URI[nodes.size()];
        this.facts = new NodeFacts[nodes.size()];
        this.telemetry = new TelemetrySnapshot[nodes.size()];
        this.snapshots = new NodeSnapshot[nodes.size()];
        for (SimNode node : nodes) {
            urls[node.index] = URI.create("http://" + node.name + ".sim.invalid");
            facts[node.index] = new NodeFacts(node.profile.name(), (int) Math.round(node.profile.memoryGb()),
                    node.profile.tflopsBf16());
            telemetry[node.index] = TelemetrySnapshot.noData(staleAfter);
            byName.put(node.name, node);
            refresh(node);
        }
        this.view = Collections.unmodifiableList(Arrays.asList(snapshots));
    }

    /** Fails as the gateway's configuration check does when {@code policy} is not a picker of {@code plugins}. */
    static void checkPolicy(SchedulingPlugins plugins, String policy) {
        plugins.picker(policy);
    }

    /** The node the gateway's scheduler picks for {@code request}, or null when no node passes its filters. */
    SimNode route(InferenceRequest request) {
        SchedulingRequest described = scheduler.describe(request, request.user());
        List<NodeSnapshot> candidates = scheduler.candidates(described, view, Set.of());
        Optional<NodeSnapshot> picked = scheduler.pick(candidates, described);
        return picked.map(s -> byName.get(s.name())).orElse(null);
    }

    /** Replaces the node's snapshot after its outstanding count changed. */
    void refresh(SimNode node) {
        int i = node.index;
        snapshots[i] = new NodeSnapshot(node.name, urls[i], true, models, facts[i], node.outstanding, START, null,
                telemetry[i], NodeState.HEALTHY);
    }

    /**
     * Publishes every node's reading as the gateway's scraper does after a scrape: the engine's
     * figures, token rates from the counters since the last reading, published at {@code now}.
     */
    void publish(SimNode.Sample[] samples, Instant now) {
        for (SimNode node : nodes) {
            SimNode.Sample s = samples[node.index];
            TelemetrySnapshot previous = telemetry[node.index];
            EngineState state = s.state();
            EngineLoad load = new EngineLoad(state.running(), state.waiting(), state.kvCacheUsage(),
                    s.promptTokensTotal(), s.generationTokensTotal(), state.tokensPerSecond());
            double generationRate = Double.NaN;
            double promptRate = Double.NaN;
            if (previous.scrapedAt() != null) {
                long before = previous.scrapedAt().toEpochMilli();
                long after = now.toEpochMilli();
                generationRate = CounterRate.perSecond(previous.load().generationTokensTotal(), before,
                        s.generationTokensTotal(), after);
                promptRate = CounterRate.perSecond(previous.load().promptTokensTotal(), before, s.promptTokensTotal(),
                        after);
            }
            telemetry[node.index] = new TelemetrySnapshot(EngineKind.FLOTILLA, load, generationRate, promptRate,
                    List.of(), HostFigures.UNKNOWN, now, null, previous.staleAfter());
            refresh(node);
        }
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
}
