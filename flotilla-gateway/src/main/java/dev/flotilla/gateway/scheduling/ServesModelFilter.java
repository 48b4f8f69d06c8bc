package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;

/** Type {@value #TYPE}, no parameters: only nodes whose {@code /v1/models} lists the requested model. */
public final class ServesModelFilter implements Filter {
    public static final String TYPE = "serves-model";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean accept(NodeSnapshot node, SchedulingRequest request) {
        return node.serves(request.model());
    }
}
