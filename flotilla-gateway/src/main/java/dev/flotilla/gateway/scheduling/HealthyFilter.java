package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.protocol.InferenceRequest;

/** Type {@value #TYPE}, no parameters: only nodes that are up (passed their last health check). */
public final class HealthyFilter implements Filter {
    public static final String TYPE = "healthy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean accept(NodeSnapshot node, InferenceRequest request) {
        return node.up();
    }
}
