package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Type {@value #TYPE}, no parameters: the candidates in turn, ignoring scores (a shared counter
 * modulo the number of candidates). The baseline every load-aware profile is measured against.
 */
public final class RoundRobinPicker implements Picker {
    public static final String TYPE = "round-robin";

    private final AtomicLong turn = new AtomicLong();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        int n = candidates.size();
        return n == 0 ? -1 : (int) Math.floorMod(turn.getAndIncrement(), (long) n);
    }
}
