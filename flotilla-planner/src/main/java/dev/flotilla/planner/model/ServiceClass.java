package dev.flotilla.planner.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A class of service: a priority (1 is the highest, 100 the lowest) and SLO targets per model.
 * Servers of a higher-priority class are served first when capacity is limited.
 */
public record ServiceClass(String name, int priority, List<ModelTarget> targets) {

    /** Inferno's lowest priority, used when none is given. */
    public static final int LOWEST_PRIORITY = 100;
    /** Inferno's highest priority. */
    public static final int HIGHEST_PRIORITY = 1;

    public ServiceClass {
        Objects.requireNonNull(name, "name");
        targets = List.copyOf(targets);
    }

    /** The targets for {@code model}; the last entry wins if a model is listed twice (as in Inferno). */
    public Optional<ModelTarget> target(String model) {
        ModelTarget found = null;
        for (ModelTarget t : targets) {
            if (t.model().equals(model)) {
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }
}
