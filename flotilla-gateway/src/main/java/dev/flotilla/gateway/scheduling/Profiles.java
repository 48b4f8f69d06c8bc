package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import dev.flotilla.protocol.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The built profiles of one gateway (or one simulation) and which one a request gets: the
 * profile named for its model ({@code scheduling.models}), else the one named for its endpoint path
 * ({@code scheduling.routes}), else the default ({@code scheduling.default}, or {@code routing.policy}
 * when that is absent). Profiles come from {@link BuiltInProfiles} and the configuration's
 * {@code scheduling.profiles}; a configured profile with a built-in's name replaces it. A default
 * that names no profile but a picker type is the legacy shorthand: filters healthy and
 * serves-model, no scorers, that picker.
 */
public final class Profiles {
    private final Map<String, Profile> byName;
    private final Profile fallback;
    private final Map<String, Profile> byModel;
    private final Map<Endpoint, Profile> byRoute;
    private final List<RequestObserver> observers;

    private Profiles(Map<String, Profile> byName, Profile fallback, Map<String, Profile> byModel,
                     Map<Endpoint, Profile> byRoute) {
        this.byName = Collections.unmodifiableMap(byName);
        this.fallback = fallback;
        this.byModel = Map.copyOf(byModel);
        this.byRoute = byRoute.isEmpty() ? Map.of() : new EnumMap<>(byRoute);
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        List<RequestObserver> obs = new ArrayList<>();
        for (Profile p : byName.values()) {
            for (Object plugin : p.plugins()) {
                if (plugin instanceof RequestObserver o && seen.put(plugin, Boolean.TRUE) == null) {
                    obs.add(o);
                }
            }
        }
        this.observers = List.copyOf(obs);
    }

    /**
     * Builds every profile the configuration declares and every built-in one it refers to.
     *
     * @param routingPolicy the {@code routing.policy} value, the default when {@code scheduling.default} is absent
     * @throws SchedulingConfigException listing every problem, each naming its path and value
     */
    public static Profiles build(SchedulingPlugins plugins, GatewayConfig.Scheduling scheduling, String routingPolicy,
                                 PluginContext context, SchedulingMetrics metrics) {
        List<String> problems = new ArrayList<>();
        Profiles built = build(plugins, scheduling, routingPolicy, context, metrics, problems);
        if (!problems.isEmpty()) {
            throw new SchedulingConfigException(problems);
        }
        return built;
    }

    /** Every problem of the scheduling configuration, empty when it is valid (builds the plugins to check them). */
    public static List<String> problems(SchedulingPlugins plugins, GatewayConfig.Scheduling scheduling,
                                        String routingPolicy, PluginContext context) {
        List<String> problems = new ArrayList<>();
        build(plugins, scheduling, routingPolicy, context, SchedulingMetrics.noop(), problems);
        return problems;
    }

    /** A single profile as the default for every request (tests, benchmarks). */
    public static Profiles of(SchedulingPlugins plugins, ProfileSpec spec, PluginContext context,
                              SchedulingMetrics metrics) {
        return build(plugins, new GatewayConfig.Scheduling(spec.name(), Map.of(), Map.of(), List.of(spec)), null,
                context, metrics);
    }

    /** One profile from plugin instances (for callers that make their own plugins). */
    static Profiles single(Profile profile) {
        Map<String, Profile> byName = new LinkedHashMap<>();
        byName.put(profile.name(), profile);
        return new Profiles(byName, profile, Map.of(), Map.of());
    }

    private static Profiles build(SchedulingPlugins plugins, GatewayConfig.Scheduling scheduling, String routingPolicy,
                                  PluginContext context, SchedulingMetrics metrics, List<String> problems) {
        GatewayConfig.Scheduling s = scheduling == null ? GatewayConfig.Scheduling.defaults() : scheduling;
        Map<String, ProfileSpec> specs = new LinkedHashMap<>();
        Map<String, String> specPath = new HashMap<>();
        for (ProfileSpec b : BuiltInProfiles.all()) {
            specs.put(b.name(), b);
            specPath.put(b.name(), "(built-in profile " + b.name() + ")");
        }
        Set<String> declared = new TreeSet<>();
        for (ProfileSpec p : s.profiles()) {
            specs.put(p.name(), p);
            specPath.put(p.name(), "scheduling.profiles." + p.name());
            declared.add(p.name());
        }
        Map<String, Profile> built = new LinkedHashMap<>();
        for (String name : declared) {
            built.put(name, make(plugins, specs.get(name), specPath.get(name), context, metrics, problems));
        }
        String defaultPath = s.defaultProfile() != null ? "scheduling.default" : "routing.policy";
        String defaultName = s.defaultProfile() != null ? s.defaultProfile() : routingPolicy;
        Profile fallback = resolve(plugins, defaultName, defaultPath, specs, specPath, built, context, metrics,
                problems, true);
        Map<String, Profile> byModel = new HashMap<>();
        s.models().forEach((model, name) -> {
            Profile p = resolve(plugins, name, "scheduling.models." + model, specs, specPath, built, context, metrics,
                    problems, false);
            if (p != null) {
                byModel.put(model, p);
            }
        });
        Map<Endpoint, Profile> byRoute = new EnumMap<>(Endpoint.class);
        s.routes().forEach((route, name) -> {
            Endpoint endpoint = endpoint(route);
            if (endpoint == null) {
                problems.add("scheduling.routes: \"" + route + "\" (expected an endpoint path: "
                        + Endpoint.CHAT.path() + " or " + Endpoint.COMPLETIONS.path() + ")");
                return;
            }
            Profile p = resolve(plugins, name, "scheduling.routes." + route, specs, specPath, built, context, metrics,
                    problems, false);
            if (p != null) {
                byRoute.put(endpoint, p);
            }
        });
        built.values().removeIf(java.util.Objects::isNull);
        return fallback == null || !problems.isEmpty() ? null : new Profiles(built, fallback, byModel, byRoute);
    }

    private static Endpoint endpoint(String route) {
        for (Endpoint e : Endpoint.values()) {
            if (e.path().equals(route)) {
                return e;
            }
        }
        return null;
    }

    /** The profile a reference names, built on first use; null (and a problem) when it names none. */
    private static Profile resolve(SchedulingPlugins plugins, String name, String path, Map<String, ProfileSpec> specs,
                                   Map<String, String> specPath, Map<String, Profile> built, PluginContext context,
                                   SchedulingMetrics metrics, List<String> problems, boolean pickerShorthand) {
        if (name != null && built.containsKey(name)) {
            // null when it was made before and failed (its problems are reported once)
            return built.get(name);
        }
        ProfileSpec spec = name == null ? null : specs.get(name);
        if (spec == null && pickerShorthand && name != null && plugins.pickerTypes().contains(name)) {
            spec = new ProfileSpec(name, List.of(ProfileSpec.Plugin.of(HealthyFilter.TYPE),
                    ProfileSpec.Plugin.of(ServesModelFilter.TYPE)), List.of(), ProfileSpec.Plugin.of(name));
            specPath.put(name, path);
        }
        if (spec == null) {
            if (name == null || !specPath.containsKey(name)) {
                Set<String> known = new TreeSet<>(specs.keySet());
                if (pickerShorthand) {
                    known.addAll(plugins.pickerTypes());
                }
                problems.add(path + ": " + (name == null ? "<missing>" : "\"" + name + "\"")
                        + " (expected one of: " + String.join(", ", known) + ")");
            }
            return null;
        }
        Profile p = make(plugins, spec, specPath.get(name), context, metrics, problems);
        built.put(name, p);
        return p;
    }

    private static Profile make(SchedulingPlugins plugins, ProfileSpec spec, String path, PluginContext context,
                                SchedulingMetrics metrics, List<String> problems) {
        int before = problems.size();
        List<Filter> filters = new ArrayList<>();
        for (int i = 0; i < spec.filters().size(); i++) {
            ProfileSpec.Plugin f = spec.filters().get(i);
            String at = path + ".filters[" + i + "]";
            try {
                filters.add(plugins.filter(f.type(), new PluginParams(at + ".params", f.params()), context));
            } catch (PluginConfigException e) {
                problems.add(e.getMessage());
            }
        }
        List<Scorer> scorers = new ArrayList<>();
        double[] weights = new double[spec.scorers().size()];
        for (int i = 0; i < spec.scorers().size(); i++) {
            ProfileSpec.WeightedScorer w = spec.scorers().get(i);
            String at = path + ".scorers[" + i + "]";
            if (!(w.weight() >= 0) || Double.isInfinite(w.weight())) {
                problems.add(new PluginConfigException(at + ".weight", w.weight(), "expected a number >= 0").getMessage());
            }
            weights[i] = w.weight();
            try {
                scorers.add(plugins.scorer(w.type(), new PluginParams(at + ".params", w.params()), context));
            } catch (PluginConfigException e) {
                problems.add(e.getMessage());
            }
        }
        dev.flotilla.gateway.scheduling.spi.Picker picker = null;
        try {
            picker = plugins.picker(spec.picker().type(), new PluginParams(path + ".picker.params",
                    spec.picker().params()), context);
        } catch (PluginConfigException e) {
            problems.add(e.getMessage());
        }
        if (problems.size() != before) {
            return null;
        }
        return new Profile(spec.name(), filters, scorers, weights, picker, metrics);
    }

    /** The profile for a request of this model on this endpoint. */
    public Profile forRequest(String model, Endpoint endpoint) {
        if (!byModel.isEmpty() && model != null) {
            Profile p = byModel.get(model);
            if (p != null) {
                return p;
            }
        }
        if (!byRoute.isEmpty() && endpoint != null) {
            Profile p = byRoute.get(endpoint);
            if (p != null) {
                return p;
            }
        }
        return fallback;
    }

    /** The default profile. */
    public Profile defaultProfile() {
        return fallback;
    }

    /** A built profile by name, or null. */
    public Profile named(String name) {
        return byName.containsKey(name) ? byName.get(name) : fallback.name().equals(name) ? fallback : null;
    }

    /** The plugin instances that want to hear of dispatches and completions, each once. */
    List<RequestObserver> observers() {
        return observers;
    }

    /** The largest number of scorers in any profile (sizes the per-thread scratch). */
    int maxScorers() {
        int max = fallback.scorers.length;
        for (Profile p : byName.values()) {
            max = Math.max(max, p.scorers.length);
        }
        return max;
    }
}
