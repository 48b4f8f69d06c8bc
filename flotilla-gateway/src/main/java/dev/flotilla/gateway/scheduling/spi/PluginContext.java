package dev.flotilla.gateway.scheduling.spi;

import java.time.Clock;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * What the gateway gives every plugin it creates, besides its parameters.
 *
 * @param clock         the scheduler's clock (virtual in the simulator)
 * @param seed          seeds a plugin's random choices (a plugin mixes in its place in the profile),
 *                      so that a simulation is repeatable
 * @param circuitClosed whether a node's circuit breaker currently lets requests through; read-only
 * @param modelSizeGb   the memory a model needs on a node in GB, or NaN when the configuration does
 *                      not say
 */
public record PluginContext(Clock clock, long seed, Predicate<String> circuitClosed,
                            ToDoubleFunction<String> modelSizeGb) {

    /** A context with no circuit breakers (every circuit closed) and no model sizes. */
    public static PluginContext of(Clock clock, long seed) {
        return new PluginContext(clock, seed, node -> true, model -> Double.NaN);
    }
}
