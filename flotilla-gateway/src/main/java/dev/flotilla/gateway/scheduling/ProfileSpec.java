package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scheduling profile as configured: which filters run, which scorers with which weights, and
 * which picker chooses. Plain data (from YAML or from {@code BuiltInProfiles}); the plugins are
 * made from it by {@link SchedulingPlugins}.
 *
 * @param name    the profile's name (what {@code routing.policy}, a model or a route refers to)
 * @param filters in order; a node must pass every one
 * @param scorers the weighted scorers (none: every candidate totals 0 and the picker alone decides)
 * @param picker  the picker
 * @param hedge   the hedging of the requests this profile schedules ({@code scheduling.profiles.<name>.hedge},
 *                each key over {@code dispatch.hedge}), or null for {@code dispatch.hedge}; a model's own
 *                {@code models.<name>.hedge} comes first. Built-in profiles have none, so hedging stays off
 *                by default
 */
public record ProfileSpec(String name, List<Plugin> filters, List<WeightedScorer> scorers, Plugin picker,
                          GatewayConfig.Hedge hedge) {

    public ProfileSpec {
        Objects.requireNonNull(name, "name");
        filters = List.copyOf(filters);
        scorers = List.copyOf(scorers);
        Objects.requireNonNull(picker, "picker");
    }

    /** A profile without a hedge block (requests it schedules hedge as {@code dispatch.hedge}). */
    public ProfileSpec(String name, List<Plugin> filters, List<WeightedScorer> scorers, Plugin picker) {
        this(name, filters, scorers, picker, null);
    }

    /** A plugin by type, with its parameters (plain YAML values). */
    public record Plugin(String type, Map<String, Object> params) {
        public Plugin {
            Objects.requireNonNull(type, "type");
            params = params == null ? Map.of() : Map.copyOf(params);
        }

        public static Plugin of(String type) {
            return new Plugin(type, Map.of());
        }
    }

    /** A scorer with its weight (at least 0) and parameters. */
    public record WeightedScorer(String type, double weight, Map<String, Object> params) {
        public WeightedScorer {
            Objects.requireNonNull(type, "type");
            params = params == null ? Map.of() : Map.copyOf(params);
        }

        public static WeightedScorer of(String type, double weight) {
            return new WeightedScorer(type, weight, Map.of());
        }
    }
}
