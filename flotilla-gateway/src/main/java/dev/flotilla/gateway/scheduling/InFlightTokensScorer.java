package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: prefers the node with the fewest tokens of work this
 * gateway has in flight there ({@link NodeSnapshot#inFlightTokens()}), which weighs a long prompt
 * or a large {@code max_tokens} more than a request count does. Score
 * {@code (max t - t) / (max t - min t)} across the candidates, 1 for all when they are equal.
 */
public final class InFlightTokensScorer implements Scorer {
    public static final String TYPE = "in-flight-tokens";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        for (int i = 0; i < scores.length; i++) {
            scores[i] = candidates.get(i).inFlightTokens();
        }
        Normalise.lowerIsBetter(scores, scores); // in place: no array per decision
    }
}
