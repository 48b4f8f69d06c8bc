package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.protocol.PrometheusText.Exposition;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads an engine's {@code /metrics} exposition into an {@link EngineLoad}, with one table per
 * {@link EngineKind} mapping that engine's metric names to the internal fields. Pure and
 * thread-safe: the scraper parses a text once ({@code PrometheusText.parseLenient}) and hands the
 * result here.
 */
public interface EngineLoadMapper {

    /** The table of this engine kind. */
    static EngineLoadMapper forKind(EngineKind kind) {
        return EngineTables.mapper(Objects.requireNonNull(kind, "kind"));
    }

    /**
     * Detects the engine from the names present ({@link EngineKind#detect}) and reads the load with
     * its table; empty when no known engine's metrics are in the text.
     */
    static Optional<NodeLoad> readDetected(Exposition exposition) {
        return EngineKind.detect(exposition).map(kind -> forKind(kind).read(exposition));
    }

    EngineKind kind();

    /** The table: for each field, the metrics it is read from. */
    List<Mapping> mappings();

    /** The node's load; fields whose metrics are absent are NaN. */
    NodeLoad read(Exposition exposition);

    /**
     * One row of a table.
     *
     * @param field   the internal field
     * @param metrics the sample names it is read from, in order of preference: the first one present
     *                in a text is used and the others ignored (newer name first, older names after)
     * @param meaning what the engine documents the metric to be, and where
     */
    record Mapping(LoadField field, List<String> metrics, String meaning) {
        public Mapping {
            Objects.requireNonNull(field, "field");
            metrics = List.copyOf(metrics);
            if (metrics.isEmpty()) {
                throw new IllegalArgumentException("mapping of " + field + ": no metric names");
            }
        }
    }
}
