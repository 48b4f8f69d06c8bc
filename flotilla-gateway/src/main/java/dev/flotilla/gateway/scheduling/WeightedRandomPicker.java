package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: a candidate at random with probability proportional to its
 * weighted total ({@code total_i / sum of totals}; negative totals count as 0; uniform when every
 * total is 0). Spreads load in proportion to how good the nodes are instead of sending everything
 * to the best one between two telemetry scrapes. Seeded from {@link PluginContext#seed()}.
 */
public final class WeightedRandomPicker implements Picker {
    public static final String TYPE = "weighted-random";

    private final SeededRandom random;

    WeightedRandomPicker(SeededRandom random) {
        this.random = random;
    }

    /** The factory (no parameters): seeded from the context's seed and this place's path. */
    public static WeightedRandomPicker create(PluginParams params, PluginContext context) {
        return new WeightedRandomPicker(SeededRandom.forPlace(context, params));
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
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += weight(totals[i]);
        }
        if (!(sum > 0)) {
            return random.nextInt(n);
        }
        double r = random.nextDouble() * sum;
        int last = 0;
        for (int i = 0; i < n; i++) {
            double w = weight(totals[i]);
            if (w > 0) {
                last = i;
                r -= w;
                if (r < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left r a hair above 0: the last candidate with weight takes it
    }

    private static double weight(double total) {
        return total > 0 && Double.isFinite(total) ? total : 0;
    }
}
