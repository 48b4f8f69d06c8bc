package dev.flotilla.gateway.fleet;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

/**
 * What the gateway knows about one node at one moment. Immutable: the health checker and the
 * load accounting replace it as a whole, and scheduling reads it without locks or I/O.
 *
 * @param up          answered its last health check (and no connection failed since)
 * @param models      the model ids its {@code /v1/models} listed at the last successful check
 * @param outstanding requests this gateway has sent to it and not yet finished
 * @param since       when {@code up} last changed (from the gateway's clock)
 * @param lastError   why it is down, or null
 */
public record NodeSnapshot(String name, URI baseUrl, boolean up, Set<String> models, NodeFacts facts,
                           int outstanding, Instant since, String lastError) {

    public NodeSnapshot {
        models = Set.copyOf(models);
    }

    public boolean serves(String model) {
        return models.contains(model);
    }

    NodeSnapshot withOutstanding(int value) {
        return new NodeSnapshot(name, baseUrl, up, models, facts, value, since, lastError);
    }

    NodeSnapshot withHealth(boolean nowUp, Set<String> nowModels, Instant now, String error) {
        Instant changed = nowUp == up ? since : now;
        return new NodeSnapshot(name, baseUrl, nowUp, nowModels, facts, outstanding, changed, error);
    }
}
