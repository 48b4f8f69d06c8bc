package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
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
        for (int i = 0; i < scores.length; i++) {
            scores[i] = queue(candidates.get(i), request);
        }
        Normalise.lowerIsBetter(scores, scores); // in place: no array per decision
    }

    static double queue(NodeSnapshot node, SchedulingRequest request) {
        double waiting = Freshness.fresh(node, request.now()) ? node.telemetry().load().waiting() : 0;
        return (Double.isNaN(waiting) ? 0 : Math.max(0, waiting)) + node.outstanding();
    }
}
