package dev.flotilla.bench.sim.matrix;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSimulator;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.util.Objects;

/**
 * Builds the simulator of one matrix cell: the fleet, the routing policy by name (opaque to the
 * matrix, passed through as it is), the cell's goodput objectives and the run's seed. Called once
 * per cell, possibly from several threads at once, so it must return a new simulator each time and
 * the plugins it makes must not share mutable state between calls.
 */
@FunctionalInterface
public interface SimulatorFactory {

    /**
     * @throws IllegalArgumentException naming the known policies when {@code policy} is unknown
     */
    FleetSimulator create(FleetSpec fleet, String policy, Slo slo, long seed);

    /**
     * The fleet with {@code policy} as its routing policy ({@link FleetSpec#withPolicy}), simulated
     * with {@code plugins} and the chat endpoint, as {@code flotilla sim --policy} runs it.
     */
    static SimulatorFactory of(SchedulingPlugins plugins) {
        Objects.requireNonNull(plugins, "plugins");
        return (fleet, policy, slo, seed) -> FleetSimulator.builder(fleet.withPolicy(policy)).plugins(plugins)
                .seed(seed).slo(slo).build();
    }
}
