package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.ArrayList;
import java.util.List;

/**
 * One built scheduling profile: its plugin instances (one per place), the scorers' weights, and
 * the timer of every place. Made by {@link Profiles}; immutable apart from the plugins' own state.
 */
public final class Profile {
    final String name;
    final Filter[] filters;
    final SchedulingMetrics.PluginTimer[] filterTimers;
    final Scorer[] scorers;
    final double[] weights;
    final SchedulingMetrics.PluginTimer[] scorerTimers;
    final Picker picker;
    final SchedulingMetrics.PluginTimer pickerTimer;

    Profile(String name, List<Filter> filters, List<Scorer> scorers, double[] weights, Picker picker,
            SchedulingMetrics metrics) {
        this.name = name;
        this.filters = filters.toArray(Filter[]::new);
        this.scorers = scorers.toArray(Scorer[]::new);
        this.weights = weights.clone();
        this.picker = picker;
        this.filterTimers = new SchedulingMetrics.PluginTimer[this.filters.length];
        for (int i = 0; i < this.filters.length; i++) {
            filterTimers[i] = metrics.timer(name, "filter", this.filters[i].type(), i);
        }
        this.scorerTimers = new SchedulingMetrics.PluginTimer[this.scorers.length];
        for (int i = 0; i < this.scorers.length; i++) {
            scorerTimers[i] = metrics.timer(name, "scorer", this.scorers[i].type(), i);
        }
        this.pickerTimer = metrics.timer(name, "picker", picker.type(), 0);
    }

    public String name() {
        return name;
    }

    /** The filters' types, in order. */
    public List<String> filterTypes() {
        List<String> out = new ArrayList<>(filters.length);
        for (Filter f : filters) {
            out.add(f.type());
        }
        return out;
    }

    /** The scorers' types, in order. */
    public List<String> scorerTypes() {
        List<String> out = new ArrayList<>(scorers.length);
        for (Scorer s : scorers) {
            out.add(s.type());
        }
        return out;
    }

    /** The weight of the scorer at {@code place}. */
    public double weight(int place) {
        return weights[place];
    }

    public String pickerType() {
        return picker.type();
    }

    /** Every plugin instance of the profile (filters, scorers, picker). */
    List<Object> plugins() {
        List<Object> out = new ArrayList<>(List.of(filters));
        out.addAll(List.of(scorers));
        out.add(picker);
        return out;
    }
}
