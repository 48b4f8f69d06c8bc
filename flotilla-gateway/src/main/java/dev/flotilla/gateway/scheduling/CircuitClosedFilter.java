package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.function.Predicate;

/**
 * Type {@value #TYPE}, no parameters: only nodes whose circuit breaker lets requests through
 * ({@link PluginContext#circuitClosed()}), so that a node that just failed several requests rests
 * before the scorers can send it more.
 */
public final class CircuitClosedFilter implements Filter {
    public static final String TYPE = "circuit-closed";

    private final Predicate<String> circuitClosed;

    public CircuitClosedFilter(PluginContext context) {
        this.circuitClosed = context.circuitClosed();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean accept(NodeSnapshot node, SchedulingRequest request) {
        return circuitClosed.test(node.name());
    }
}
