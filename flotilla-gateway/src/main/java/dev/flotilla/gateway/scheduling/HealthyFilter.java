package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;

/**
 * Type {@value #TYPE}, no parameters: only nodes in rotation, that is HEALTHY or DEGRADED; never
 * STARTING, UNHEALTHY or DRAINING. That a degraded node is used only when no healthy one can take
 * the request is the {@link Scheduler}'s rule, since it needs the whole candidate list.
 */
public final class HealthyFilter implements Filter {
    public static final String TYPE = "healthy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean accept(NodeSnapshot node, SchedulingRequest request) {
        return node.state().routable();
    }
}
