package dev.flotilla.bench.sim;

import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.sim.SimScheduler;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.telemetry.CounterRate;
import dev.flotilla.gateway.fleet.telemetry.EngineKind;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.scheduling.Profiles;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.SchedulingMetrics;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
 * (outstanding requests and in-flight tokens exact, telemetry as the scraper last published it),
 * asks the {@link Scheduler} (the policy's profile, built by the gateway's own code, on the virtual
 * clock) for candidates and a pick with the arguments the gateway's request pipeline passes, and
 * tells the profile's stateful plugins of every dispatch and completion as the pipeline does.
 */
final class SimRouter {
    private static final Instant START = Instant.EPOCH;

    private final Scheduler scheduler;
    private final Clock clock;
    private final String model;
    private final Set<String> models;
    private final URI[] urls;
    private final NodeFacts[] facts;
    private final TelemetrySnapshot[] telemetry;
    /** Per node, the model's context length as its {@code /v1/models} states it ({@code max_model_len}). */
    private final Map<String, Integer>[] contexts;
    private final NodeSnapshot[] snapshots;
    /** A read-only view of {@link #snapshots}: replacing an element is what publishing a snapshot means. */
    private final List<NodeSnapshot> view;
    private final Map<String, SimNode> byName = new HashMap<>();
    private final SimNode[] nodes;
    private long ids;

    /**
     * @throws IllegalArgumentException naming the known policies when {@code policy} is not one of
     *                                  {@code plugins}' pickers
     */
    SimRouter(SchedulingPlugins plugins, String policy, List<SimNode> nodes, String model, Duration staleAfter,
              SimScheduler clock, long seed) {
        Clock virtual = new VirtualClock(clock);
        this.clock = virtual;
        // plugin timing is the gateway's observability, not part of what is simulated: a still ticker
        this.scheduler = new Scheduler(Profiles.build(plugins, GatewayConfig.Scheduling.defaults(), policy,
                PluginContext.of(virtual, seed), SchedulingMetrics.noop()), virtual, () -> 0L);
        this.model = model;
        this.models = Set.of(model);
        this.nodes = nodes.toArray(SimNode[]::new);
        this.urls = new URI[nodes.size()];
        this.facts = new NodeFacts[nodes.size()];
        this.telemetry = new TelemetrySnapshot[nodes.size()];
        @SuppressWarnings("unchecked")
        Map<String, Integer>[] contextArray = new Map[nodes.size()];
        this.contexts = contextArray;
        this.snapshots = new NodeSnapshot[nodes.size()];
        for (SimNode node : nodes) {
            urls[node.index] = URI.create("http://" + node.name + ".sim.invalid");
            facts[node.index] = new NodeFacts(node.profile.name(), (int) Math.round(node.profile.memoryGb()),
                    node.profile.tflopsBf16());
            telemetry[node.index] = TelemetrySnapshot.noData(staleAfter);
            // what a flotilla node's /v1/models states and the health checker reads: the engine's context
            contexts[node.index] = Map.of(model, node.engine.info().contextPerSlot());
            byName.put(node.name, node);
            refresh(node);
        }
        this.view = Collections.unmodifiableList(Arrays.asList(snapshots));
    }

    /**
     * Fails as the gateway's configuration check does when {@code policy} is neither a profile (built
     * in) nor a picker type of {@code plugins}.
     */
    static void checkPolicy(SchedulingPlugins plugins, String policy) {
        Profiles.build(plugins, GatewayConfig.Scheduling.defaults(), policy, PluginContext.of(Clock.systemUTC(), 0),
                SchedulingMetrics.noop());
    }

    /**
     * The gateway's decision for {@code request} (its session key the body's {@code user}, as the
     * gateway reads it), or null when no node passes the profile's filters or the picker chooses none.
     * The prompt's text has {@code charsPerToken} characters per token (1 for compact synthetic
     * prompts: the gateway estimates the tokens of the real text they stand for).
     */
    Routed route(InferenceRequest request, int charsPerToken) {
        // as Scheduler.describe does (an id unique per scheduler, the decision time from its clock)
        SchedulingRequest described = new SchedulingRequest(++ids, request, request.user(), clock.instant(),
                charsPerToken);
        List<NodeSnapshot> candidates = scheduler.candidates(described, view, Set.of());
        Optional<NodeSnapshot> picked = scheduler.pick(candidates, described);
        return picked.map(s -> new Routed(byName.get(s.name()), s, described, Scheduler.tokensInFlight(described)))
                .orElse(null);
    }

    /** The request was sent: counts its load on the node and tells the profile's observers. */
    void dispatched(Routed routed) {
        SimNode node = routed.node();
        node.outstanding++;
        node.inFlightTokens += routed.tokens();
        refresh(node);
        scheduler.dispatched(routed.request(), routed.snapshot());
    }

    /** The attempt ended: releases its load and tells the observers how it went. */
    void finished(Routed routed, Completion completion) {
        SimNode node = routed.node();
        node.outstanding--;
        node.inFlightTokens -= routed.tokens();
        refresh(node);
        scheduler.finished(routed.request(), node.name, completion);
    }

    /** Replaces the node's snapshot after its load changed. */
    void refresh(SimNode node) {
        int i = node.index;
        snapshots[i] = new NodeSnapshot(node.name, urls[i], true, models, facts[i], node.outstanding, START, null,
                telemetry[i], NodeState.HEALTHY, node.inFlightTokens, contexts[i]);
    }

    /** One routing decision: the node, as the scheduler saw it, and the load the request counts there. */
    record Routed(SimNode node, NodeSnapshot snapshot, SchedulingRequest request, long tokens) {
    }

    /** The virtual clock as a {@link Clock}: nanoseconds since the start of the run, from the epoch. */
    private static final class VirtualClock extends Clock {
        private final SimScheduler clock;

        VirtualClock(SimScheduler clock) {
            this.clock = clock;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the simulation's clock has no zone but UTC");
        }

        @Override
        public Instant instant() {
            return START.plusNanos(clock.nanoTime());
        }

        @Override
        public long millis() {
            return clock.nanoTime() / 1_000_000;
        }
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
     * temperature, seed or stop (so the defaults); the trace's session as the {@code user} field.
     */
    InferenceRequest request(Endpoint endpoint, String prompt, int maxTokens, String session) {
        boolean chat = endpoint == Endpoint.CHAT;
        return new InferenceRequest(endpoint, model, chat ? List.of(new ChatMessage("user", prompt)) : null,
                chat ? null : prompt, true, true, maxTokens, InferenceRequest.DEFAULT_TEMPERATURE,
                InferenceRequest.DEFAULT_TOP_P, null, List.of(), session);
    }

    String policy() {
        return scheduler.policy();
    }
}
