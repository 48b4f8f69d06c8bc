package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.PredictedLatencyScorerTest.Timing;
import dev.flotilla.gateway.scheduling.ProfileSpec.WeightedScorer;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in {@code flotilla} profile's plugins composed by hand as the engine composes them
 * (weighted sum, NaN counted 0.5, max-score), over two nodes of which one is twice as fast.
 */
class FlotillaProfileTest {
    private record InFlight(SchedulingRequest request, int node, int batch, int tokens) {
    }

    @Test
    void flotillaProfile_fastAndSlowNode_learnsToPreferFastWithoutHerding() {
        ProfileSpec spec = BuiltInProfiles.all().stream().filter(p -> p.name().equals("flotilla")).findFirst()
                .orElseThrow();
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        PluginContext ctx = PluginContext.of(Clock.systemUTC(), 17);
        List<Scorer> scorers = new ArrayList<>();
        List<RequestObserver> observers = new ArrayList<>();
        for (WeightedScorer w : spec.scorers()) {
            Scorer s = plugins.scorer(w.type(), new PluginParams("flotilla." + w.type(), w.params()), ctx);
            scorers.add(s);
            if (s instanceof RequestObserver o) {
                observers.add(o);
            }
        }
        Picker picker = plugins.picker(spec.picker().type(), PluginParams.none("flotilla.picker"), ctx);
        Timing[] timing = {PredictedLatencyScorerTest.FAST, PredictedLatencyScorerTest.SLOW};
        String[] names = {"fast", "slow"};
        int[] outstanding = new int[2];
        long[] tokensInFlight = new long[2];
        int[] served = new int[2];
        Deque<InFlight> inFlight = new ArrayDeque<>();
        for (int i = 0; i < 2000; i++) {
            List<NodeSnapshot> nodes = List.of(
                    node("fast").outstanding(outstanding[0]).inFlightTokens(tokensInFlight[0]).build(),
                    node("slow").outstanding(outstanding[1]).inFlightTokens(tokensInFlight[1]).build());
            SchedulingRequest r = Nodes.request(i + ":" + "u".repeat(800 + (i % 7) * 400), null, 50);
            double[] totals = new double[2];
            for (int s = 0; s < scorers.size(); s++) {
                double[] scores = new double[2];
                scorers.get(s).score(r, nodes, scores);
                for (int n = 0; n < 2; n++) {
                    double v = Double.isNaN(scores[n]) ? 0.5 : Math.min(1, Math.max(0, scores[n]));
                    totals[n] += spec.scorers().get(s).weight() * v;
                }
            }
            int chosen = picker.pick(r, nodes, totals);
            for (RequestObserver o : observers) {
                o.dispatched(r, nodes.get(chosen));
            }
            int tokens = r.estimatedPromptTokens();
            inFlight.add(new InFlight(r, chosen, outstanding[chosen] + 1, tokens));
            outstanding[chosen]++;
            tokensInFlight[chosen] += tokens + 50;
            served[chosen] += i >= 200 ? 1 : 0;
            if (inFlight.size() > 8) { // eight requests in flight over the two nodes
                InFlight done = inFlight.poll();
                Timing t = timing[done.node()];
                double ttft = t.ttftMs(done.tokens());
                double duration = ttft + 49 * t.perTokenMs(done.batch());
                for (RequestObserver o : observers) {
                    o.finished(done.request(), names[done.node()], new Completion(Completion.Outcome.SUCCESS,
                            done.tokens(), 50, Math.round(ttft * 1e6), Math.round(duration * 1e6)));
                }
                outstanding[done.node()]--;
                tokensInFlight[done.node()] -= done.tokens() + 50;
            }
        }
        double fastShare = served[0] / (double) (served[0] + served[1]);
        assertThat(fastShare).as("the fast node takes most, the slow one still a share").isBetween(0.55, 0.95);
    }
}
