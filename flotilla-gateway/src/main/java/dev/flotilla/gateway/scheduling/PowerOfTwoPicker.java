package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;

/**
 * Type {@value #TYPE}, no parameters: draws two different candidates at random and takes the one
 * with the higher weighted total (the first drawn on a tie). The "power of two choices" keeps
 * load near the best spread while never herding every request onto one node between scrapes.
 * Seeded from {@link PluginContext#seed()}.
 */
public final class PowerOfTwoPicker implements Picker {
    public static final String TYPE = "power-of-two";

    private final SeededRandom random;

    PowerOfTwoPicker(SeededRandom random) {
        this.random = random;
    }

    /** The factory (no parameters): seeded from the context's seed and this place's path. */
    public static PowerOfTwoPicker create(PluginParams params, PluginContext context) {
        return new PowerOfTwoPicker(SeededRandom.forPlace(context, params));
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
        int n = candidates.size();
        if (n <= 1) {
            return n - 1;
        }
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++; // b is uniform over the others
        }
        return totals[b] > totals[a] ? b : a;
    }
}
