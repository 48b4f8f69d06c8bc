package dev.flotilla.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.InferenceRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark measures real decisions: every profile it names builds, picks a node of the fleet
 * for every prompt, and spreads a fleet's requests over more than one node (a setup that sent
 * everything to one node, or failed to build, would measure nothing useful).
 */
class SchedulingBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {SchedulingBenchmark.FOUR_SCORERS, "flotilla", "least-requests"})
    void decide_everyProfile_picksNodesOfTheFleetAndSpreadsLoad(String profile) {
        List<NodeSnapshot> fleet = Fleets.mixed(16, 42);
        InferenceRequest[] prompts = SchedulingBenchmark.prompts(32, 8, 42);
        Scheduler scheduler = SchedulingBenchmark.scheduler(profile);
        SchedulingBenchmark.warm(scheduler, fleet, prompts, 500);

        Set<String> picked = new HashSet<>();
        for (InferenceRequest r : prompts) {
            NodeSnapshot node = SchedulingBenchmark.decideOnce(scheduler, fleet, r);
            assertThat(fleet).contains(node);
            picked.add(node.name());
        }
        assertThat(picked).hasSizeGreaterThan(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 128, 1024})
    void fleet_everySize_servesTheModelWithFreshTelemetry(int size) {
        List<NodeSnapshot> fleet = Fleets.mixed(size, 42);

        assertThat(fleet).hasSize(size).allSatisfy(n -> {
            assertThat(n.serves(Fleets.MODEL)).isTrue();
            assertThat(n.dataState(Fleets.NOW)).hasToString("FRESH");
        });
    }
}
