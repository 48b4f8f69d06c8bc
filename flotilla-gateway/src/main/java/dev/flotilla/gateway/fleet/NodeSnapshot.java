package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * What the gateway knows about one node at one moment. Immutable: the health checker and the
 * load accounting replace it as a whole, and scheduling reads it without locks or I/O.
 *
 * @param up          answered its last health check (and no connection failed since)
 * @param models      the model ids its {@code /v1/models} listed at the last successful check
 * @param outstanding requests this gateway has sent to it and not yet finished
 * @param since       when {@code up} or {@code state} last changed (from the gateway's clock)
 * @param lastError   why it is down, or null
 * @param telemetry   the latest figures from its {@code /metrics} (engine load, GPUs, host), with
 *                    their age and state; {@link TelemetrySnapshot#noData} until a scrape succeeds
 * @param state       where it stands in rotation ({@link NodeState}); a draining node is DRAINING
 *                    while {@code up} still tells whether it passes its checks
 * @param inFlightTokens tokens of work this gateway has sent to it and not yet seen finish: each
 *                    outstanding request's estimated prompt tokens plus the tokens it may generate
 * @param contextLengths per model id, the tokens one request may hold there (prompt and output), as its
 *                    {@code /v1/models} stated them ({@code max_model_len}) at the last successful check;
 *                    a model without an entry has an unknown context
 */
public record NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                           int outstanding, Instant since, String lastError, TelemetrySnapshot telemetry,
                           NodeState state, long inFlightTokens, Map<String, Integer> contextLengths) {

    /** The stale bound of a snapshot made without telemetry settings. */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(2);

    public NodeSnapshot {
        models = Set.copyOf(models);
        contextLengths = contextLengths == null ? Map.of() : Map.copyOf(contextLengths);
        telemetry = telemetry == null ? TelemetrySnapshot.noData(DEFAULT_STALE_AFTER) : telemetry;
        state = state == null ? (up ? NodeState.HEALTHY : NodeState.UNHEALTHY) : state;
    }

    /** A snapshot whose models' context lengths are unknown. */
    public NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                        int outstanding, Instant since, String lastError, TelemetrySnapshot telemetry,
                        NodeState state, long inFlightTokens) {
        this(name, baseUrl, up, models, facts, outstanding, since, lastError, telemetry, state, inFlightTokens,
                Map.of());
    }

    /** A snapshot with no tokens in flight. */
    public NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                        int outstanding, Instant since, String lastError, TelemetrySnapshot telemetry,
                        NodeState state) {
        this(name, baseUrl, up, models, facts, outstanding, since, lastError, telemetry, state, 0);
    }

    /** A snapshot whose state follows {@code up}: HEALTHY when up, else UNHEALTHY. */
    public NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                        int outstanding, Instant since, String lastError, TelemetrySnapshot telemetry) {
        this(name, baseUrl, up, models, facts, outstanding, since, lastError, telemetry, null);
    }

    /** A snapshot with no telemetry yet. */
    public NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                        int outstanding, Instant since, String lastError) {
        this(name, baseUrl, up, models, facts, outstanding, since, lastError, null, null);
    }

    /** Whether the telemetry is missing, fresh or stale at this time (see {@link TelemetrySnapshot#state}). */
    public DataState dataState(Instant now) {
        return telemetry.state(now);
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    /** The tokens one request for {@code model} may hold on this node, or null when unknown. */
    public Integer contextLength(String model) {
        return contextLengths.get(model);
    }

    NodeSnapshot withOutstanding(int value) {
        return new NodeSnapshot(name, baseUrl, up, models, facts, value,
                since, lastError, telemetry, state, inFlightTokens, contextLengths);
    }

    NodeSnapshot withLoad(int requests, long tokens) {
        return new NodeSnapshot(name, baseUrl, up, models, facts, requests,
                since, lastError, telemetry, state, tokens, contextLengths);
    }

    NodeSnapshot withHealth(boolean nowUp, NodeState nowState, Set<String> nowModels,
                            Map<String, Integer> nowContextLengths, Instant now, String error) {
        Instant changed = nowUp == up && nowState == state ? since : now;
        return new NodeSnapshot(name, baseUrl, nowUp, nowModels, facts, outstanding,
                changed, error, telemetry, nowState, inFlightTokens, nowContextLengths);
    }

    NodeSnapshot withFacts(NodeFacts value) {
        return new NodeSnapshot(name, baseUrl, up, models, value, outstanding,
                since, lastError, telemetry, state, inFlightTokens, contextLengths);
    }

    NodeSnapshot withTelemetry(TelemetrySnapshot value) {
        return new NodeSnapshot(name, baseUrl, up, models, facts, outstanding,
                since, lastError, value, state, inFlightTokens, contextLengths);
    }
}
