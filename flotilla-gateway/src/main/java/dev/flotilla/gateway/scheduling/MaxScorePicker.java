package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Type {@value #TYPE}: the candidate with the highest weighted total. Candidates whose totals are
 * within {@code tolerance} of the highest (default 1e-9: equal, e.g. all nodes idle and uncached)
 * are tied; {@code ties: random} (the default) breaks ties at random with a generator seeded from
 * {@link PluginContext#seed()} and the plugin's place, so that equal nodes share load and a
 * simulation repeats; {@code ties: least-recent} takes the tied node this picker chose longest ago
 * (never chosen first, then in candidate order), which spreads consecutive requests over nodes that
 * are about as good as round-robin does.
 */
public final class MaxScorePicker implements Picker {
    public static final String TYPE = "max-score";
    private static final double TIE = 1e-9;

    private final SeededRandom random;
    private final double tolerance;
    private final boolean leastRecent;
    /** Per node name, the sequence number of this picker's last choice of it (least-recent only). */
    private final ConcurrentHashMap<String, Long> lastChosen = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();

    MaxScorePicker(SeededRandom random) {
        this(random, TIE, false);
    }

    MaxScorePicker(SeededRandom random, double tolerance, boolean leastRecent) {
        this.random = random;
        this.tolerance = tolerance;
        this.leastRecent = leastRecent;
    }

    /** The factory: reads {@code tolerance} (0..1,000) and {@code ties} (random or least-recent). */
    public static MaxScorePicker create(PluginParams params, PluginContext context) {
        double tolerance = params.number("tolerance", TIE, 0, 1000);
        String ties = params.string("ties", "random");
        if (!ties.equals("random") && !ties.equals("least-recent")) {
            throw new PluginConfigException(params.pathOf("ties"), ties, "expected random or least-recent");
        }
        return new MaxScorePicker(SeededRandom.forPlace(context, params), Math.max(TIE, tolerance),
                ties.equals("least-recent"));
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
        double floor = max - tolerance;
        if (leastRecent) {
            return leastRecent(candidates, totals, floor);
        }
        int ties = 0;
        for (int i = 0; i < n; i++) {
            if (totals[i] >= floor) {
                ties++;
            }
        }
        int chosen = ties == 1 ? 0 : random.nextInt(ties);
        for (int i = 0; i < n; i++) {
            if (totals[i] >= floor && chosen-- == 0) {
                return i;
            }
        }
        throw new IllegalStateException("unreachable: " + ties + " tied candidates counted");
    }

    private int leastRecent(List<NodeSnapshot> candidates, double[] totals, double floor) {
        int best = -1;
        long bestSeen = Long.MAX_VALUE;
        for (int i = 0, n = candidates.size(); i < n; i++) {
            if (totals[i] >= floor) {
                Long seen = lastChosen.get(candidates.get(i).name());
                long s = seen == null ? -1 : seen;
                if (s < bestSeen) {
                    best = i;
                    bestSeen = s;
                }
            }
        }
        lastChosen.put(candidates.get(best).name(), sequence.incrementAndGet());
        return best;
    }
}
