package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: prefers free KV cache, as llm-d's KV-cache utilisation
 * scorer does: score {@code 1 - kvCacheUsage} from fresh telemetry; NaN (the engine's neutral 0.5)
 * when the telemetry is stale or missing or the engine does not report the figure.
 */
public final class KvCacheScorer implements Scorer {
    public static final String TYPE = "kv-cache";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        for (int i = 0; i < scores.length; i++) {
            NodeSnapshot node = candidates.get(i);
            double usage = Freshness.fresh(node, request.now())
                    ? node.telemetry().load().kvCacheUsage() : Double.NaN;
            scores[i] = Double.isNaN(usage) ? Double.NaN : 1 - Math.min(1, Math.max(0, usage));
        }
    }
}
