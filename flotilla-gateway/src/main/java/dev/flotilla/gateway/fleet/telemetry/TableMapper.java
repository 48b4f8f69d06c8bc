package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An {@link EngineLoadMapper} driven by one engine's table. */
final class TableMapper implements EngineLoadMapper {
    private final EngineKind kind;
    private final String modelLabel;
    private final List<Mapping> mappings;

    /**
     * @param modelLabel the label naming the model of a series, or null when the engine has none
     */
    TableMapper(EngineKind kind, String modelLabel, List<Mapping> mappings) {
        this.kind = kind;
        this.modelLabel = modelLabel;
        this.mappings = List.copyOf(mappings);
    }

    @Override
    public EngineKind kind() {
        return kind;
    }

    @Override
    public List<Mapping> mappings() {
        return mappings;
    }

    @Override
    public NodeLoad read(Exposition exposition) {
        Map<LoadField, Double> total = new EnumMap<>(LoadField.class);
        Map<String, Map<LoadField, Double>> perModel = new TreeMap<>();
        for (Mapping mapping : mappings) {
            List<Sample> samples = firstPresent(exposition, mapping.metrics());
            LoadField field = mapping.field();
            for (Sample s : samples) {
                if (Double.isNaN(s.value())) {
                    continue; // an engine's NaN says "no figure", not a load
                }
                total.merge(field, s.value(), (a, b) -> combine(field, a, b));
                String model = modelLabel == null ? null : s.label(modelLabel);
                if (model != null) {
                    perModel.computeIfAbsent(model, m -> new EnumMap<>(LoadField.class))
                            .merge(field, s.value(), (a, b) -> combine(field, a, b));
                }
            }
        }
        Map<String, EngineLoad> byModel = new LinkedHashMap<>();
        perModel.forEach((model, values) -> byModel.put(model, EngineLoad.of(values)));
        return new NodeLoad(kind, EngineLoad.of(total), byModel);
    }

    private static List<Sample> firstPresent(Exposition exposition, List<String> names) {
        for (String name : names) {
            List<Sample> samples = exposition.samples(name);
            if (!samples.isEmpty()) {
                return samples;
            }
        }
        return List.of();
    }

    private static double combine(LoadField field, double a, double b) {
        return switch (field.combine()) {
            case SUM -> a + b;
            case MAX -> Math.max(a, b);
        };
    }
}
