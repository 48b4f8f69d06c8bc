package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: the candidate with the highest weighted total. Ties (totals
 * equal within 1e-9, e.g. all nodes idle and uncached) are broken at random with a generator
 * seeded from {@link PluginContext#seed()} and the plugin's place, so that equal nodes share load
 * and a simulation repeats.
 */
public final class MaxScorePicker implements Picker {
    public static final String TYPE = "max-score";
    private static final double TIE = 1e-9;

    private final SeededRandom random;

    MaxScorePicker(SeededRandom random) {
        this.random = random;
    }

    /** The factory (no parameters): seeded from the context's seed and this place's path. */
    public static MaxScorePicker create(PluginParams params, PluginContext context) {
        return new MaxScorePicker(SeededRandom.forPlace(context, params));
    }

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
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, totals[i]);
        }
        int ties = 0;
        for (int i = 0; i < n; i++) {
            if (totals[i] >= max - TIE) {
                ties++;
            }
        }
        int chosen = ties == 1 ? 0 : random.nextInt(ties);
        for (int i = 0; i < n; i++) {
            if (totals[i] >= max - TIE && chosen-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable: " + ties + " tied candidates counted");
    }
}
