package dev.flotilla.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.InferenceRequest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The benchmark measures real decisions: every profile it names builds with the scorers it claims,
 * and picks a node of the fleet for every prompt; least-requests rotates over the tied nodes.
 */
class SchedulingBenchmarkTest {

    static Stream<Arguments> profiles() {
        return Stream.of(
                Arguments.of(SchedulingBenchmark.FOUR_SCORERS,
                        List.of("queue-depth", "kv-cache", "prefix-affinity", "predicted-latency"), "max-score"),
                Arguments.of("flotilla",
                        List.of("predicted-latency", "prefix-affinity", "in-flight-tokens", "queue-depth"), "max-score"),
                Arguments.of("least-requests", List.of(), "least-requests"));
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void decide_everyProfile_runsItsScorersAndPicksANodeOfTheFleet(String profile, List<String> scorers,
                                                                   String picker) {
        List<NodeSnapshot> fleet = Fleets.mixed(16, 42);
        InferenceRequest[] prompts = SchedulingBenchmark.prompts(32, 8, 42);
        Scheduler scheduler = SchedulingBenchmark.scheduler(profile);
        SchedulingBenchmark.warm(scheduler, fleet, prompts, 500);

        for (InferenceRequest r : prompts) {
            assertThat(fleet).contains(SchedulingBenchmark.decideOnce(scheduler, fleet, r));
        }
        var used = scheduler.profile(scheduler.describe(prompts[0], null));
        assertThat(used.scorerTypes()).containsExactlyElementsOf(scorers);
        assertThat(used.pickerType()).isEqualTo(picker);
    }

    @org.junit.jupiter.api.Test
    void decide_leastRequestsOnIdleTies_spreadsOverTheFleet() {
        // the fleet's snapshots are fixed, so least-requests rotates among the nodes with the fewest
        List<NodeSnapshot> fleet = Fleets.mixed(16, 42);
        Scheduler scheduler = SchedulingBenchmark.scheduler("least-requests");
        Set<String> picked = new HashSet<>();
        for (InferenceRequest r : SchedulingBenchmark.prompts(32, 8, 42)) {
            picked.add(SchedulingBenchmark.decideOnce(scheduler, fleet, r).name());
        }
        long fewest = fleet.stream().mapToInt(NodeSnapshot::outstanding).min().orElseThrow();
        assertThat(picked).hasSize((int) fleet.stream().filter(n -> n.outstanding() == fewest).count());
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
