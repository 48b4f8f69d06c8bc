package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Freshness} answers as {@link TelemetrySnapshot#state} does, at the bounds too. */
class FreshnessTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:10.300Z");

    static Stream<Arguments> ages() {
        return Stream.of(
                Arguments.of(Named.of("no scrape yet: not fresh", (Duration) null), Duration.ofSeconds(2), false),
                Arguments.of(Named.of("just scraped", Duration.ZERO), Duration.ofSeconds(2), true),
                Arguments.of(Named.of("exactly the bound: fresh", Duration.ofSeconds(2)), Duration.ofSeconds(2), true),
                Arguments.of(Named.of("a nanosecond past the bound: stale", Duration.ofSeconds(2).plusNanos(1)),
                        Duration.ofSeconds(2), false),
                Arguments.of(Named.of("nanos borrow: 1.9 s of 2 s", Duration.ofMillis(1_900)), Duration.ofSeconds(2),
                        true),
                Arguments.of(Named.of("fractional bound, just under", Duration.ofMillis(1_499)),
                        Duration.ofMillis(1_500), true),
                Arguments.of(Named.of("fractional bound, just over", Duration.ofMillis(1_501)),
                        Duration.ofMillis(1_500), false),
                Arguments.of(Named.of("long stale", Duration.ofMinutes(5)), Duration.ofSeconds(2), false),
                Arguments.of(Named.of("scraped in the future (clock skew): fresh", Duration.ofMillis(-700)),
                        Duration.ofSeconds(2), true));
    }

    @ParameterizedTest
    @MethodSource("ages")
    void fresh_age_answersAsTheSnapshotsState(Duration age, Duration staleAfter, boolean expected) {
        TelemetrySnapshot t = age == null ? TelemetrySnapshot.noData(staleAfter)
                : new TelemetrySnapshot(null, EngineLoad.UNKNOWN, Double.NaN, Double.NaN, List.of(),
                HostFigures.UNKNOWN, NOW.minus(age), null, staleAfter);
        NodeSnapshot node = new NodeSnapshot("n", URI.create("http://127.0.0.1:1"), true, Set.of("m"), null, 0, NOW,
                null, t, NodeState.HEALTHY);
        assertThat(Freshness.fresh(node, NOW)).isEqualTo(expected);
        assertThat(Freshness.fresh(node, NOW)).isEqualTo(node.dataState(NOW) == DataState.FRESH);
    }
}
