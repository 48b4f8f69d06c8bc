package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeStateMachineTest {
    private final ManualClock clock = new ManualClock();

    private NodeStateMachine machine(GatewayConfig.Health rules) {
        return new NodeStateMachine("n1", rules, clock);
    }

    /**
     * Runs a script of space-separated events: ok (check passed, telemetry fresh), ok-stale (check
     * passed, telemetry stale), fail (check failed), conn (connection failed), req+ / req- (request
     * succeeded / failed), stale / fresh / nodata (telemetry), drain / undrain, +Ns (clock moves).
     * Returns the last transition.
     */
    private Optional<NodeTransition> run(NodeStateMachine m, String script) {
        Optional<NodeTransition> last = Optional.empty();
        for (String step : script.isBlank() ? new String[0] : script.trim().split("\\s+")) {
            Optional<NodeTransition> t = switch (step) {
                case "ok" -> m.checkSucceeded(DataState.FRESH);
                case "ok-stale" -> m.checkSucceeded(DataState.STALE);
                case "fail" -> m.checkFailed("/health answered 503");
                case "conn" -> m.connectionFailed("connection refused");
                case "req+" -> m.requestFinished(false);
                case "req-" -> m.requestFinished(true);
                case "stale" -> m.telemetry(DataState.STALE);
                case "fresh" -> m.telemetry(DataState.FRESH);
                case "nodata" -> m.telemetry(DataState.NO_DATA);
                case "drain" -> m.drain(true);
                case "undrain" -> m.drain(false);
                default -> {
                    if (!step.matches("\\+\\d+s")) {
                        throw new IllegalArgumentException("unknown step " + step);
                    }
                    clock.advance(Duration.ofSeconds(Long.parseLong(step.substring(1, step.length() - 1))));
                    yield Optional.empty();
                }
            };
            if (t.isPresent()) {
                last = t;
            }
        }
        return last;
    }

    static Stream<Arguments> scripts() {
        return Stream.of(
                rule("new node is starting", "", NodeState.STARTING, false),
                rule("failed checks keep a new node starting", "fail fail conn", NodeState.STARTING, false),
                rule("first passed check makes it healthy", "ok", NodeState.HEALTHY, true),
                rule("first passed check with stale telemetry makes it degraded", "ok-stale", NodeState.DEGRADED, true),
                rule("no telemetry is not stale", "ok nodata ok", NodeState.HEALTHY, true),
                rule("one failed check takes a healthy node out", "ok fail", NodeState.UNHEALTHY, false),
                rule("a connection failure takes a healthy node out", "ok conn", NodeState.UNHEALTHY, false),
                rule("two failed requests are below passiveFailures", "ok req- req-", NodeState.HEALTHY, true),
                rule("three consecutive failed requests take it out", "ok req- req- req-", NodeState.UNHEALTHY, false),
                rule("a success resets the consecutive count but the error rate degrades",
                        "ok req- req- req+ req- req-", NodeState.DEGRADED, true),
                rule("error rate at the threshold is not above it", "ok req- req+ req- req+ req- req+",
                        NodeState.HEALTHY, true),
                rule("errors leaving the window bring it back", "ok req- req- req+ req- req- +31s req+",
                        NodeState.HEALTHY, true),
                rule("one passed check is not enough to come back", "ok fail ok", NodeState.UNHEALTHY, false),
                rule("two passed checks bring it back", "ok fail ok ok", NodeState.HEALTHY, true),
                rule("a failure between passes restarts the count", "ok fail ok fail ok", NodeState.UNHEALTHY, false),
                rule("a connection failure while coming back restarts the count", "ok fail ok conn ok",
                        NodeState.UNHEALTHY, false),
                rule("stale telemetry degrades a healthy node", "ok stale", NodeState.DEGRADED, true),
                rule("fresh telemetry brings a degraded node back", "ok stale fresh", NodeState.HEALTHY, true),
                rule("a failed check takes a degraded node out", "ok stale fail", NodeState.UNHEALTHY, false),
                rule("a node back from unhealthy forgets old errors", "ok req- req- req+ req- req- fail ok ok",
                        NodeState.HEALTHY, true),
                rule("drain takes a healthy node out of rotation", "ok drain", NodeState.DRAINING, true),
                rule("a draining node stays draining across checks", "ok drain ok ok", NodeState.DRAINING, true),
                rule("a draining node that fails is draining and down", "ok drain fail", NodeState.DRAINING, false),
                rule("undrain returns a node to its health", "ok drain fail undrain", NodeState.UNHEALTHY, false),
                rule("undrain of a healthy node makes it healthy", "ok drain undrain", NodeState.HEALTHY, true),
                rule("a starting node can be drained and comes up drained", "drain ok", NodeState.DRAINING, true));
    }

    private static Arguments rule(String name, String script, NodeState state, boolean up) {
        return Arguments.of(Named.of(name, script), state, up);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scripts")
    void events_script_endInExpectedStateAndUp(String script, NodeState state, boolean up) {
        NodeStateMachine m = machine(GatewayConfig.Health.defaults());
        run(m, script);
        assertThat(m.state()).isEqualTo(state);
        assertThat(m.up()).isEqualTo(up);
    }

    @Test
    void checkFailed_unhealthyAfterThree_needsThreeConsecutive() {
        NodeStateMachine m = machine(new GatewayConfig.Health(Duration.ofSeconds(1), Duration.ofSeconds(1),
                3, 1, 3, Duration.ofSeconds(30), 0.5, 5));
        run(m, "ok fail fail ok fail fail");
        assertThat(m.state()).isEqualTo(NodeState.HEALTHY);
        run(m, "fail");
        assertThat(m.state()).isEqualTo(NodeState.UNHEALTHY);
        run(m, "ok");
        assertThat(m.state()).as("healthyAfter 1").isEqualTo(NodeState.HEALTHY);
    }

    @Test
    void transition_carriesNodeFromToReasonAndTime() {
        NodeStateMachine m = machine(GatewayConfig.Health.defaults());
        run(m, "ok +5s");
        Optional<NodeTransition> t = m.checkFailed("/health answered 503");
        assertThat(t).contains(new NodeTransition("n1", NodeState.HEALTHY, NodeState.UNHEALTHY,
                "1 consecutive failed health check(s): /health answered 503", clock.instant()));
    }

    @Test
    void transition_sameState_isEmpty() {
        NodeStateMachine m = machine(GatewayConfig.Health.defaults());
        assertThat(run(m, "ok")).map(NodeTransition::from).contains(NodeState.STARTING);
        assertThat(m.checkSucceeded(DataState.FRESH)).isEmpty();
        assertThat(m.requestFinished(false)).isEmpty();
    }

    @Test
    void passiveTransition_namesTheCause() {
        NodeStateMachine m = machine(GatewayConfig.Health.defaults());
        assertThat(run(m, "ok req- req- req-")).map(NodeTransition::reason).contains("3 consecutive failed requests");
        NodeStateMachine degraded = machine(GatewayConfig.Health.defaults());
        assertThat(run(degraded, "ok stale")).map(NodeTransition::reason).contains("telemetry stale");
    }

    @Test
    void errorRate_belowMinimumRequests_isNaN_thenFraction() {
        NodeStateMachine m = machine(GatewayConfig.Health.defaults());
        run(m, "ok req- req+ req+ req+");
        assertThat(m.errorRate()).isNaN();
        run(m, "req+");
        assertThat(m.errorRate()).isEqualTo(0.2);
        clock.advance(Duration.ofSeconds(31));
        assertThat(m.errorRate()).isNaN();
    }
}
