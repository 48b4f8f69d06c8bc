package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.PrometheusText;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How Stream turns chunks of events with output, read at given times, into TTFT and ITL samples. */
class StreamTimingTest {
    private static final long MS = 1_000_000L;
    private static final long ARRIVED = 5 * MS;

    /** One chunk read: how many events with output it completed, at which tick (ms). */
    record Read(int events, long atMs) {
    }

    static Stream<Arguments> reads() {
        return Stream.of(
                Arguments.of(Named.of("one event per chunk",
                        List.of(new Read(1, 50), new Read(1, 60), new Read(1, 75))), 45.0, 2, 25.0),
                Arguments.of(Named.of("three events in one later chunk share the gap",
                        List.of(new Read(1, 50), new Read(3, 80), new Read(1, 100))), 45.0, 4, 50.0),
                Arguments.of(Named.of("first chunk with three events: two zero gaps",
                        List.of(new Read(3, 40))), 35.0, 2, 0.0),
                Arguments.of(Named.of("only one event", List.of(new Read(1, 30))), 25.0, 0, 0.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reads")
    void outputEvents_chunksAtTimes_ttftFromArrivalAndGapsBetweenEvents(List<Read> reads, double ttftMs, int gaps,
                                                                       double gapSumMs) {
        NodeRegistry registry = new NodeRegistry(List.of(), Clock.systemUTC());
        GatewayMetrics metrics = new GatewayMetrics(registry);
        GatewayMetrics.Series series = metrics.series("m", "a");
        RequestContext ctx = new RequestContext(Endpoint.CHAT, Buffer.buffer(), null, ARRIVED);
        ctx.dispatched(ARRIVED + MS);

        for (Read r : reads) {
            StreamStage.outputEvents(ctx, series, r.events(), r.atMs() * MS);
        }

        List<PrometheusText.Sample> samples = PrometheusText.parse(metrics.scrape());
        Map<String, String> labels = Map.of("model", "m", "node", "a");
        assertThat(PrometheusText.value(samples, "flotilla_time_to_first_token_seconds_count", labels)).isEqualTo(1);
        assertThat(PrometheusText.value(samples, "flotilla_time_to_first_token_seconds_sum", labels))
                .isCloseTo(ttftMs / 1000, within(1e-9));
        assertThat(PrometheusText.value(samples, "flotilla_inter_token_latency_seconds_count", labels)).isEqualTo(gaps);
        assertThat(PrometheusText.value(samples, "flotilla_inter_token_latency_seconds_sum", labels))
                .isCloseTo(gapSumMs / 1000, within(1e-8));
        // latency-outlier detection reads the first token's time from the context
        assertThat(ctx.firstTokenNanos()).isEqualTo(reads.getFirst().atMs() * MS);
        assertThat(ctx.lastTokenNanos()).isEqualTo(reads.getLast().atMs() * MS);
    }
}
