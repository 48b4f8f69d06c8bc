package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Type {@value #TYPE}, no parameters: the candidate with the fewest requests outstanding through
 * this gateway. Ties rotate (a shared counter picks among the tied nodes in turn) so that equal
 * idle nodes share load instead of the first one taking every request.
 */
public final class LeastRequestsPicker implements Picker {
    public static final String TYPE = "least-requests";

    private final AtomicLong turn = new AtomicLong();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        int n = candidates.size();
        if (n == 0) {
            return -1;
        }
        int min = Integer.MAX_VALUE;
        int ties = 0;
        for (int i = 0; i < n; i++) {
            int o = candidates.get(i).outstanding();
            if (o < min) {
                min = o;
                ties = 1;
            } else if (o == min) {
                ties++;
            }
        }
        int chosen = (int) Math.floorMod(turn.getAndIncrement(), (long) ties);
        for (int i = 0; i < n; i++) {
            if (candidates.get(i).outstanding() == min && chosen-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable: " + ties + " tied candidates counted");
    }
}
