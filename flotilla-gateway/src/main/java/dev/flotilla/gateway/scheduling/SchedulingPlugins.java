package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginFactory;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The registry of scheduling plugins by type name: one explicit instance per gateway (no static
 * maps), filled by {@link #builtIn()} and extendable with the {@code register...} methods. Each
 * place a plugin takes in a profile gets its own instance, made by the type's factory from that
 * place's parameters.
 */
public final class SchedulingPlugins {
    private final Map<String, PluginFactory<? extends Filter>> filters = new LinkedHashMap<>();
    private final Map<String, PluginFactory<? extends Scorer>> scorers = new LinkedHashMap<>();
    private final Map<String, PluginFactory<? extends Picker>> pickers = new LinkedHashMap<>();

    /** A registry with the plugins that ship with the gateway. */
    public static SchedulingPlugins builtIn() {
        SchedulingPlugins p = new SchedulingPlugins();
        p.registerFilter(HealthyFilter.TYPE, HealthyFilter::new);
        p.registerFilter(ServesModelFilter.TYPE, ServesModelFilter::new);
        p.registerPicker(LeastRequestsPicker.TYPE, LeastRequestsPicker::new);
        p.registerFilter(CircuitClosedFilter.TYPE, (params, context) -> new CircuitClosedFilter(context));
        p.registerFilter(FitsMemoryFilter.TYPE, FitsMemoryFilter::create);
        p.registerFilter(FitsContextFilter.TYPE, (params, context) -> FitsContextFilter.create(params));
        p.registerScorer(QueueDepthScorer.TYPE, QueueDepthScorer::new);
        p.registerScorer(KvCacheScorer.TYPE, KvCacheScorer::new);
        p.registerScorer(InFlightTokensScorer.TYPE, (params, context) -> InFlightTokensScorer.create(params));
        p.registerScorer(InferOpsScorer.TYPE, InferOpsScorer::create);
        p.registerScorer(PrefixAffinityScorer.TYPE, PrefixAffinityScorer::create);
        p.registerScorer(SessionAffinityScorer.TYPE, SessionAffinityScorer::create);
        p.registerScorer(PredictedLatencyScorer.TYPE, PredictedLatencyScorer::create);
        p.registerPicker(MaxScorePicker.TYPE, MaxScorePicker::create);
        p.registerPicker(WeightedRandomPicker.TYPE, WeightedRandomPicker::create);
        p.registerPicker(PowerOfTwoPicker.TYPE, PowerOfTwoPicker::create);
        p.registerPicker(RoundRobinPicker.TYPE, RoundRobinPicker::new);
        p.registerPicker(SglangCacheAwarePicker.TYPE, SglangCacheAwarePicker::create);
        return p;
    }

    public SchedulingPlugins registerFilter(String type, PluginFactory<? extends Filter> factory) {
        return put(filters, "filter", type, factory);
    }

    /** A filter without parameters. */
    public SchedulingPlugins registerFilter(String type, Supplier<? extends Filter> factory) {
        return registerFilter(type, (params, context) -> factory.get());
    }

    public SchedulingPlugins registerScorer(String type, PluginFactory<? extends Scorer> factory) {
        return put(scorers, "scorer", type, factory);
    }

    /** A scorer without parameters. */
    public SchedulingPlugins registerScorer(String type, Supplier<? extends Scorer> factory) {
        return registerScorer(type, (params, context) -> factory.get());
    }

    public SchedulingPlugins registerPicker(String type, PluginFactory<? extends Picker> factory) {
        return put(pickers, "picker", type, factory);
    }

    /** A picker without parameters. */
    public SchedulingPlugins registerPicker(String type, Supplier<? extends Picker> factory) {
        return registerPicker(type, (params, context) -> factory.get());
    }

    public Set<String> filterTypes() {
        return Set.copyOf(filters.keySet());
    }

    public Set<String> scorerTypes() {
        return Set.copyOf(scorers.keySet());
    }

    public Set<String> pickerTypes() {
        return Set.copyOf(pickers.keySet());
    }

    /**
     * A new filter of this type made from {@code params} (whose path names the place in the
     * configuration); unknown types and unknown or invalid parameters fail naming the path.
     */
    public Filter filter(String type, PluginParams params, PluginContext context) {
        return make(filters, "filter", type, params, context);
    }

    public Scorer scorer(String type, PluginParams params, PluginContext context) {
        return make(scorers, "scorer", type, params, context);
    }

    public Picker picker(String type, PluginParams params, PluginContext context) {
        return make(pickers, "picker", type, params, context);
    }

    /** A picker of this type with its default parameters (the message lists the known types when unknown). */
    public Picker picker(String type) {
        return picker(type, PluginParams.none("routing.policy"), PluginContext.of(Clock.systemUTC(), 0));
    }

    /** A filter of this type with its default parameters. */
    public Filter filter(String type) {
        return filter(type, PluginParams.none("filter"), PluginContext.of(Clock.systemUTC(), 0));
    }

    private <T> SchedulingPlugins put(Map<String, PluginFactory<? extends T>> map, String kind, String type,
                                      PluginFactory<? extends T> factory) {
        if (map.putIfAbsent(type, factory) != null) {
            throw new IllegalArgumentException(kind + " type '" + type + "' is already registered");
        }
        return this;
    }

    private static <T> T make(Map<String, PluginFactory<? extends T>> map, String kind, String type,
                              PluginParams params, PluginContext context) {
        PluginFactory<? extends T> f = map.get(type);
        if (f == null) {
            throw new PluginConfigException(params.path().endsWith(".params")
                    ? params.path().substring(0, params.path().length() - ".params".length()) + ".type" : params.path(),
                    type, "expected a " + kind + " type, one of: " + String.join(", ", map.keySet()));
        }
        T plugin = f.create(params, context);
        params.checkAllRead(type);
        return plugin;
    }
}
