package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which recent p95 a hedge waits for: time to first token for streams, whole response time otherwise. */
class HedgerDelayTest {
    private static final GatewayConfig.Hedge P95 = new GatewayConfig.Hedge(true, null, Duration.ofMillis(50),
            Duration.ofSeconds(5));

    /** Node "a": 20 streams with first tokens at 1..20 ms and 20 non-streamed answers in 100..2000 ms. */
    private static NodeRegistry registry() {
        NodeRegistry r = new NodeRegistry(List.of(new GatewayConfig.Node("a", "http://127.0.0.1:9001")),
                Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        r.markUp("a", Set.of("m"));
        for (int i = 1; i <= 20; i++) {
            r.latencySample("a", "m", Duration.ofMillis(i * 10L));
            r.responseTimeSample("a", "m", Duration.ofMillis(i * 100L));
        }
        return r;
    }

    static Stream<Arguments> cases() {
        GatewayConfig.Hedge fixed = new GatewayConfig.Hedge(true, Duration.ofMillis(300), null, null);
        GatewayConfig.Hedge ceiling = new GatewayConfig.Hedge(true, null, Duration.ofMillis(50), Duration.ofSeconds(1));
        return Stream.of(
                Arguments.of(Named.of("stream: p95 time to first token", P95), "m", true, 190L),
                Arguments.of(Named.of("non-streamed: p95 response time", P95), "m", false, 1900L),
                Arguments.of(Named.of("non-streamed: p95 response time within maxDelay", ceiling), "m", false, 1000L),
                Arguments.of(Named.of("non-streamed: no samples for the model, minDelay", P95), "other", false, 50L),
                Arguments.of(Named.of("non-streamed: a fixed delay ignores p95", fixed), "m", false, 300L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void delayMillis_streamOrNot_takesTheMatchingP95(GatewayConfig.Hedge hedge, String model, boolean stream,
                                                     long expected) {
        assertThat(Hedger.delayMillis(hedge, registry(), "a", model, stream)).isEqualTo(expected);
    }
}
