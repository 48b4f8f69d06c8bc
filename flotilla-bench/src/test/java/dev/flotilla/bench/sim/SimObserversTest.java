package dev.flotilla.bench.sim;

import static dev.flotilla.bench.sim.FleetSimulatorTest.MS;
import static dev.flotilla.bench.sim.FleetSimulatorTest.fleet;
import static dev.flotilla.bench.sim.FleetSimulatorTest.request;
import static dev.flotilla.bench.sim.FleetSimulatorTest.simulate;
import static dev.flotilla.bench.sim.FleetSimulatorTest.testProfile;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulator drives the scheduling plugins as the gateway's pipeline does: a stateful plugin is
 * told of every dispatch and completion, with times on the virtual clock, and the snapshots carry
 * the in-flight tokens the gateway counts, back to zero when every request has finished.
 */
class SimObserversTest {

    /** Picks the first candidate and records what the engine tells it. */
    static final class ObservingPicker implements Picker, RequestObserver {
        static final String TYPE = "observing";
        final List<Long> inFlightTokensSeen = new ArrayList<>();
        final List<Instant> decisionTimes = new ArrayList<>();
        final Map<Long, String> dispatched = new LinkedHashMap<>();
        final Map<Long, Completion> finished = new LinkedHashMap<>();

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
            inFlightTokensSeen.add(candidates.getFirst().inFlightTokens());
            decisionTimes.add(request.now());
            return 0;
        }

        @Override
        public void dispatched(SchedulingRequest request, NodeSnapshot node) {
            dispatched.put(request.id(), node.name());
        }

        @Override
        public void finished(SchedulingRequest request, String node, Completion completion) {
            assertThat(dispatched).containsEntry(request.id(), node);
            finished.put(request.id(), completion);
        }
    }

    @Test
    void run_observingPlugin_toldOfEveryDispatchAndCompletionAndTokensReturnToZero() {
        ObservingPicker picker = new ObservingPicker();
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker(ObservingPicker.TYPE, () -> picker);
        FleetSpec fleet = fleet(testProfile(8), 1).withPolicy(ObservingPicker.TYPE);

        // a 1,000-token prompt (20 + 100 ms of prefill), then one of 50 while it runs, then one after both ended
        simulate(FleetSimulator.builder(fleet).plugins(plugins),
                List.of(request("a", 0, 1000), request("b", 10, 50), request("c", 5_000, 10)));

        assertThat(picker.decisionTimes).containsExactly(Instant.EPOCH, Instant.EPOCH.plusNanos(10 * MS),
                Instant.EPOCH.plusNanos(5_000 * MS));
        // the gateway's estimate of "a": its prompt text's characters / 4, plus max_tokens 4
        assertThat(picker.inFlightTokensSeen.get(0)).isZero();
        assertThat(picker.inFlightTokensSeen.get(1)).isGreaterThan(4);
        assertThat(picker.inFlightTokensSeen.get(2)).as("every earlier request has released its tokens").isZero();
        assertThat(picker.dispatched).hasSize(3);
        assertThat(picker.finished).hasSize(3).allSatisfy((id, c) -> {
            assertThat(c.outcome()).isEqualTo(Completion.Outcome.SUCCESS);
            assertThat(c.completionTokens()).isEqualTo(4);
            assertThat(c.firstTokenNanos()).isPositive().isLessThanOrEqualTo(c.durationNanos());
        });
        Completion a = picker.finished.values().iterator().next();
        assertThat(a.promptTokens()).isEqualTo(1000);
        assertThat(a.firstTokenNanos()).as("prefill of 1,000 tokens: 20 + 0.1 ms per token").isGreaterThanOrEqualTo(120 * MS);
    }
}
