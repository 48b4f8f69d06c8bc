package dev.flotilla.gateway.fleet.telemetry;

import java.util.Map;
import java.util.Objects;

/**
 * What one scrape of a node's engine metrics says about its load: the node as a whole and, when
 * the engine labels its series by model, each model.
 *
 * @param kind    the engine whose table read the text
 * @param total   the node's figures, combined over models as {@link LoadField#combine()} says
 * @param byModel figures per served model (the engine's {@code model_name} label); empty when the
 *                engine does not label by model
 */
public record NodeLoad(EngineKind kind, EngineLoad total, Map<String, EngineLoad> byModel) {
    public NodeLoad {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(total, "total");
        byModel = Map.copyOf(byModel);
    }
}
