package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeCircuitsTest {
    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final List<String> transitions = new ArrayList<>();
    private final NodeCircuits circuits = new NodeCircuits(new GatewayConfig.Circuit(50, 4, 4, Duration.ofSeconds(10), 2),
            clock, (node, to) -> transitions.add(node + "->" + to));

    private void fail(String node) {
        assertThat(circuits.tryAcquire(node)).isTrue();
        circuits.failure(node, 1_000_000, new IllegalStateException("boom"));
    }

    private void succeed(String node) {
        assertThat(circuits.tryAcquire(node)).isTrue();
        circuits.success(node, 1_000_000);
    }

    @Test
    void failures_aboveRateAfterMinimumRequests_openOnlyThatNode() {
        succeed("a");
        fail("a");
        fail("a");
        assertThat(circuits.state("a")).as("3 of the minimum 4 requests").isEqualTo("closed");
        fail("a");
        assertThat(circuits.state("a")).isEqualTo("open");
        assertThat(circuits.tryAcquire("a")).isFalse();
        assertThat(circuits.state("b")).isEqualTo("closed");
        assertThat(circuits.tryAcquire("b")).isTrue();
        assertThat(transitions).containsExactly("a->open");
    }

    @Test
    void openCircuit_afterOpenFor_letsHalfOpenRequestsProbeAndClosesOnSuccess() {
        for (int i = 0; i < 4; i++) {
            fail("a");
        }
        clock.now = clock.now.plusSeconds(9);
        assertThat(circuits.tryAcquire("a")).as("still open before openFor").isFalse();
        clock.now = clock.now.plusSeconds(2);
        assertThat(circuits.tryAcquire("a")).isTrue();
        assertThat(circuits.state("a")).isEqualTo("half_open");
        assertThat(circuits.tryAcquire("a")).isTrue();
        assertThat(circuits.tryAcquire("a")).as("only 2 probes while half-open").isFalse();
        circuits.success("a", 1);
        circuits.success("a", 1);
        assertThat(circuits.state("a")).isEqualTo("closed");
        assertThat(transitions).containsExactly("a->open", "a->half_open", "a->closed");
    }

    @Test
    void halfOpen_releasedPermission_canBeTakenAgain_andFailedProbesReopen() {
        for (int i = 0; i < 4; i++) {
            fail("a");
        }
        clock.now = clock.now.plusSeconds(11);
        assertThat(circuits.tryAcquire("a")).isTrue();
        assertThat(circuits.tryAcquire("a")).isTrue();
        circuits.release("a");
        assertThat(circuits.tryAcquire("a")).as("a permission given back (node not picked) is free again").isTrue();
        circuits.failure("a", 1, new IllegalStateException("x"));
        circuits.failure("a", 1, new IllegalStateException("x"));
        assertThat(circuits.state("a")).isEqualTo("open");
    }
}
