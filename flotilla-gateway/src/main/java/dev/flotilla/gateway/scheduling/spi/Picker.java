package dev.flotilla.gateway.scheduling.spi;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.protocol.InferenceRequest;
import java.util.List;
import java.util.Optional;

/**
 * Chooses one node among the candidates that passed every filter. Reads snapshots only, never
 * does I/O; empty when there is no candidate.
 */
public interface Picker {
    /** The plugin's stable kebab-case type name (the {@code routing.policy} value). */
    String type();

    Optional<NodeSnapshot> pick(List<NodeSnapshot> candidates, InferenceRequest request);
}
