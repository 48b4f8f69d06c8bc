package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HealthySchedulingTest {
    private final Scheduler scheduler = Scheduler.of(SchedulingPlugins.builtIn(), "least-requests");

    private static NodeSnapshot node(String name, NodeState state, String model) {
        boolean up = state.routable() || state == NodeState.DRAINING;
        return new NodeSnapshot(name, URI.create("http://127.0.0.1:1"), up, Set.of(model), NodeFacts.UNKNOWN, 0,
                Instant.EPOCH, null, null, state);
    }

    static Stream<Arguments> states() {
        return Stream.of(
                Arguments.of(Named.of("starting", NodeState.STARTING), false),
                Arguments.of(Named.of("healthy", NodeState.HEALTHY), true),
                Arguments.of(Named.of("degraded", NodeState.DEGRADED), true),
                Arguments.of(Named.of("unhealthy", NodeState.UNHEALTHY), false),
                Arguments.of(Named.of("draining (though up)", NodeState.DRAINING), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("states")
    void healthyFilter_state_acceptsOnlyRoutable(NodeState state, boolean accepted) {
        assertThat(new HealthyFilter().accept(node("a", state, "m"), LeastRequestsPickerTest.REQUEST)).isEqualTo(accepted);
    }

    @Test
    void candidates_healthyAndDegradedServeModel_onlyHealthy() {
        List<NodeSnapshot> nodes = List.of(node("d", NodeState.DEGRADED, "m"), node("h", NodeState.HEALTHY, "m"),
                node("x", NodeState.DRAINING, "m"));
        assertThat(scheduler.candidates(LeastRequestsPickerTest.REQUEST, nodes, Set.of()))
                .extracting(NodeSnapshot::name).containsExactly("h");
    }

    @Test
    void candidates_healthyNodeServesOtherModel_degradedUsed() {
        List<NodeSnapshot> nodes = List.of(node("d1", NodeState.DEGRADED, "m"), node("h", NodeState.HEALTHY, "other"),
                node("d2", NodeState.DEGRADED, "m"), node("u", NodeState.UNHEALTHY, "m"));
        assertThat(scheduler.candidates(LeastRequestsPickerTest.REQUEST, nodes, Set.of()))
                .extracting(NodeSnapshot::name).containsExactly("d1", "d2");
    }

    @Test
    void candidates_healthyAlreadyTried_degradedUsedForRetry() {
        List<NodeSnapshot> nodes = List.of(node("d", NodeState.DEGRADED, "m"), node("h", NodeState.HEALTHY, "m"));
        assertThat(scheduler.candidates(LeastRequestsPickerTest.REQUEST, nodes, Set.of("h")))
                .extracting(NodeSnapshot::name).containsExactly("d");
    }
}
