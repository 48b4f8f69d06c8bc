package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.Picker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The registry of scheduling plugins by type name: one explicit instance per gateway (no static
 * maps), filled by {@link #builtIn()} and extendable with {@link #register}.
 */
public final class SchedulingPlugins {
    private final Map<String, Supplier<? extends Filter>> filters = new LinkedHashMap<>();
    private final Map<String, Supplier<? extends Picker>> pickers = new LinkedHashMap<>();

    /** A registry with the plugins that ship with the gateway. */
    public static SchedulingPlugins builtIn() {
        SchedulingPlugins p = new SchedulingPlugins();
        p.registerFilter(HealthyFilter.TYPE, HealthyFilter::new);
        p.registerFilter(ServesModelFilter.TYPE, ServesModelFilter::new);
        p.registerPicker(LeastRequestsPicker.TYPE, LeastRequestsPicker::new);
        return p;
    }

    public SchedulingPlugins registerFilter(String type, Supplier<? extends Filter> factory) {
        if (filters.putIfAbsent(type, factory) != null) {
            throw new IllegalArgumentException("filter type '" + type + "' is already registered");
        }
        return this;
    }

    public SchedulingPlugins registerPicker(String type, Supplier<? extends Picker> factory) {
        if (pickers.putIfAbsent(type, factory) != null) {
            throw new IllegalArgumentException("picker type '" + type + "' is already registered");
        }
        return this;
    }

    public Set<String> pickerTypes() {
        return Set.copyOf(pickers.keySet());
    }

    public Set<String> filterTypes() {
        return Set.copyOf(filters.keySet());
    }

    /** A new picker of this type; the message lists the known types when it is unknown. */
    public Picker picker(String type) {
        Supplier<? extends Picker> f = pickers.get(type);
        if (f == null) {
            throw new IllegalArgumentException("routing.policy: \"" + type + "\" (expected one of: "
                    + String.join(", ", pickers.keySet()) + ")");
        }
        return f.get();
    }

    public Filter filter(String type) {
        Supplier<? extends Filter> f = filters.get(type);
        if (f == null) {
            throw new IllegalArgumentException("filter \"" + type + "\" (expected one of: "
                    + String.join(", ", filters.keySet()) + ")");
        }
        return f.get();
    }
}
