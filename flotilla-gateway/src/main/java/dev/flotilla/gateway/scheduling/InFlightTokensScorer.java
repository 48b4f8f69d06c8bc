package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;

/**
 * Type {@value #TYPE}: prefers the node with the least work this gateway has in flight there
 * ({@link NodeSnapshot#inFlightTokens()}), which weighs a long prompt or a large {@code max_tokens}
 * more than a request count does. Score {@code (max w - w) / (max w - min w)} across the candidates,
 * 1 for all when they are equal, where {@code w} is the node's tokens in flight, or with parameter
 * {@code per: tflops} its tokens in flight divided by its declared TFLOPS (how long the node needs
 * for them, up to a constant): on a mixed fleet an H100 with 3,000 tokens in flight is less loaded
 * than an L4 with 1,000. A node without declared TFLOPS counts as the slowest known one (the
 * cautious guess); when no candidate declares any, tokens are compared as they are. On a fleet of
 * one kind both give the same scores.
 */
public final class InFlightTokensScorer implements Scorer {
    public static final String TYPE = "in-flight-tokens";

    private final boolean perTflops;

    public InFlightTokensScorer() {
        this(false);
    }

    private InFlightTokensScorer(boolean perTflops) {
        this.perTflops = perTflops;
    }

    /** From a profile's params: {@code per} is {@code tokens} (the default) or {@code tflops}. */
    public static InFlightTokensScorer create(PluginParams params) {
        String per = params.string("per", "tokens");
        return switch (per) {
            case "tokens" -> new InFlightTokensScorer(false);
            case "tflops" -> new InFlightTokensScorer(true);
            default -> throw new PluginConfigException(params.pathOf("per"), per, "expected tokens or tflops");
        };
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
        double slowest = perTflops ? slowestTflops(candidates) : Double.NaN;
        for (int i = 0; i < scores.length; i++) {
            NodeSnapshot n = candidates.get(i);
            double tokens = n.inFlightTokens();
            if (!Double.isNaN(slowest)) {
                Double tflops = n.facts().tflops();
                tokens /= tflops == null || tflops <= 0 ? slowest : tflops;
            }
            scores[i] = tokens;
        }
        Normalise.lowerIsBetter(scores, scores); // in place: no array per decision
    }

    /** The smallest declared TFLOPS among the candidates, NaN when none declares any. */
    private static double slowestTflops(List<NodeSnapshot> candidates) {
        double slowest = Double.NaN;
        for (NodeSnapshot n : candidates) {
            Double t = n.facts().tflops();
            if (t != null && t > 0 && !(t >= slowest)) {
                slowest = t;
            }
        }
        return slowest;
    }
}
