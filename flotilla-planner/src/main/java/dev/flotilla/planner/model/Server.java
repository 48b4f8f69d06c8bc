package dev.flotilla.planner.model;

import java.util.Objects;

/**
 * An inference server to plan: one model served to one class of service, under a load.
 *
 * @param keepAccelerator consider only the accelerator of the current allocation
 * @param minNumReplicas  lower bound on replicas (also for an idle server)
 * @param maxBatchSize    overrides the batch limit derived from the model data when &gt; 0
 */
public record Server(String name, String serviceClass, String model, boolean keepAccelerator, int minNumReplicas,
        int maxBatchSize, Load load, CurrentAllocation current) {

    /** Inferno's service class for a server that names none. */
    public static final String DEFAULT_SERVICE_CLASS = "Free";

    public Server {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(serviceClass, "serviceClass");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(current, "current");
    }

    /** A server with no current allocation and no overrides. */
    public static Server of(String name, String serviceClass, String model, Load load) {
        return new Server(name, serviceClass, model, false, 0, 0, load, CurrentAllocation.NONE);
    }
}
