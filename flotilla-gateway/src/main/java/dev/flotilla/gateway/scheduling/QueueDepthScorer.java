package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: prefers the shortest queue, as llm-d's queue scorer does.
 * A node's queue is {@code q = waiting + outstanding}: the engine's waiting requests from fresh
 * telemetry (0 when stale, missing or not reported: the gateway's own count still holds) plus the
 * requests this gateway has outstanding there, which it knows at once while telemetry lags a
 * scrape behind. Score {@code (max q - q) / (max q - min q)} across the candidates, 1 for all when
 * they are equal.
 */
public final class QueueDepthScorer implements Scorer {
    public static final String TYPE = "queue-depth";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        double[] queue = new double[candidates.size()];
        for (int i = 0; i < queue.length; i++) {
            queue[i] = queue(candidates.get(i), request);
        }
        Normalise.lowerIsBetter(queue, scores);
    }

    static double queue(NodeSnapshot node, SchedulingRequest request) {
        double waiting = node.dataState(request.now()) == DataState.FRESH ? node.telemetry().load().waiting() : 0;
        return (Double.isNaN(waiting) ? 0 : Math.max(0, waiting)) + node.outstanding();
    }
}
