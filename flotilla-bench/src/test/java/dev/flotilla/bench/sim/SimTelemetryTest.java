package dev.flotilla.bench.sim;

import static dev.flotilla.bench.sim.FleetSimulatorTest.MS;
import static dev.flotilla.bench.sim.FleetSimulatorTest.request;
import static dev.flotilla.bench.sim.FleetSimulatorTest.testProfile;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.fleet.telemetry.EngineKind;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the router sees: a policy that reads telemetry gets the figures of the last scrape that has
 * been published, not the engine's current state. A recording picker keeps every snapshot it is
 * shown. Request "first" arrives at 502 ms and is running from then on; "second" arrives at 515 ms.
 */
class SimTelemetryTest {

    /** Records the snapshots of every decision and picks the first candidate. */
    static final class RecordingPicker implements Picker {
        static final String TYPE = "recording";
        final List<List<NodeSnapshot>> seen = new ArrayList<>();

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
            seen.add(List.copyOf(candidates));
            return candidates.isEmpty() ? -1 : 0;
        }
    }

    /** Picks the node whose last scraped load (running plus waiting) is smallest, the first of equals. */
    static final class LeastLoadedByTelemetry implements Picker {
        @Override
        public String type() {
            return "least-loaded-telemetry";
        }

        @Override
        public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
            int best = -1;
            for (int i = 0; i < candidates.size(); i++) {
                if (best < 0 || load(candidates.get(i)) < load(candidates.get(best))) {
                    best = i;
                }
            }
            return best;
        }

        private static double load(NodeSnapshot n) {
            return n.telemetry().load().running() + n.telemetry().load().waiting();
        }
    }

    static Stream<Arguments> herding() {
        return Stream.of(
                Arguments.of(Named.of("scraped every millisecond", Duration.ofMillis(1)), List.of(5L, 5L, 5L, 5L)),
                // every decision reads the idle figures of t = 0: all requests go to the first node
                Arguments.of(Named.of("scraped every 10 s", Duration.ofSeconds(10)), List.of(20L, 0L, 0L, 0L)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("herding")
    void run_telemetryReadingPolicy_staleFiguresHerdRequestsOntoOneNode(Duration interval, List<Long> served) {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn()
                .registerPicker("least-loaded-telemetry", LeastLoadedByTelemetry::new);
        FleetSpec fleet = FleetSimulatorTest.fleet(testProfile(8), 4).withPolicy("least-loaded-telemetry")
                .withTelemetry(interval, Duration.ZERO, interval.multipliedBy(2).plusSeconds(1));
        // one request every 5 ms; each runs for about 60 ms
        List<SimRequest> requests = FleetSimulatorTest.requests(20, 5, 100);

        SimReport report = FleetSimulator.builder(fleet).plugins(plugins).endpoint(Endpoint.COMPLETIONS).build()
                .run(requests);

        assertThat(report.nodes()).extracting(SimReport.NodeReport::served).containsExactlyElementsOf(served);
    }

    static Stream<Arguments> scrapes() {
        return Stream.of(
                // scrapes at 0, 10, ..., 510 ms: the one at 510 ms saw "first" running
                Arguments.of(Named.of("every 10 ms, seen at once", Duration.ofMillis(10)), Duration.ZERO,
                        1.0, 510 * MS),
                // the 510 ms reading is published at 519 ms: "second" still sees the 500 ms one
                Arguments.of(Named.of("every 10 ms, seen 9 ms later", Duration.ofMillis(10)), Duration.ofMillis(9),
                        0.0, 509 * MS),
                // the gateway's default interval: the reading of 500 ms, taken before "first" arrived
                Arguments.of(Named.of("every 500 ms", Duration.ofMillis(500)), Duration.ZERO, 0.0, 500 * MS),
                // nothing since the start: the idle reading of 0 ms
                Arguments.of(Named.of("every 10 s", Duration.ofSeconds(10)), Duration.ZERO, 0.0, 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scrapes")
    void route_scrapeIntervalAndDelay_routerSeesTheLastPublishedReading(Duration interval, Duration delay,
                                                                      double runningSeen, long scrapedAtNanos) {
        RecordingPicker picker = new RecordingPicker();
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker(RecordingPicker.TYPE, () -> picker);
        FleetSpec fleet = FleetSimulatorTest.fleet(testProfile(2), 1).withPolicy(RecordingPicker.TYPE)
                .withTelemetry(interval, delay, interval.multipliedBy(2).plusSeconds(1));

        FleetSimulator.builder(fleet).plugins(plugins).endpoint(Endpoint.COMPLETIONS).build()
                .run(List.of(request("first", 502, 100), request("second", 515, 100)));

        assertThat(picker.seen).hasSize(2);
        NodeSnapshot atSecond = picker.seen.get(1).getFirst();
        assertThat(atSecond.outstanding()).as("the gateway's own count is exact").isEqualTo(1);
        assertThat(atSecond.telemetry().load().running()).isEqualTo(runningSeen);
        assertThat(atSecond.telemetry().load().waiting()).isZero();
        assertThat(atSecond.telemetry().scrapedAt()).isEqualTo(Instant.EPOCH.plusNanos(scrapedAtNanos));
        assertThat(atSecond.telemetry().kind()).isEqualTo(EngineKind.FLOTILLA);
        assertThat(atSecond.dataState(Instant.EPOCH.plusNanos(515 * MS))).isEqualTo(DataState.FRESH);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scrapes")
    void route_firstRequest_seesAnIdleNode(Duration interval, Duration delay, double ignoredRunning,
                                           long ignoredScrapedAt) {
        RecordingPicker picker = new RecordingPicker();
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker(RecordingPicker.TYPE, () -> picker);
        FleetSpec fleet = FleetSimulatorTest.fleet(testProfile(2), 1).withPolicy(RecordingPicker.TYPE)
                .withTelemetry(interval, delay, interval.multipliedBy(2).plusSeconds(1));

        FleetSimulator.builder(fleet).plugins(plugins).endpoint(Endpoint.COMPLETIONS).build()
                .run(List.of(request("first", 502, 100)));

        NodeSnapshot atFirst = picker.seen.getFirst().getFirst();
        assertThat(atFirst.outstanding()).isZero();
        assertThat(atFirst.telemetry().load().running()).isZero();
        assertThat(atFirst.telemetry().load().kvCacheUsage()).isZero();
    }

    @org.junit.jupiter.api.Test
    void route_afterRequestsFinish_countersAndRatesFromTheScrapes() {
        RecordingPicker picker = new RecordingPicker();
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker(RecordingPicker.TYPE, () -> picker);
        FleetSpec fleet = FleetSimulatorTest.fleet(testProfile(2), 1).withPolicy(RecordingPicker.TYPE)
                .withTelemetry(Duration.ofMillis(100), Duration.ZERO, Duration.ofSeconds(2));

        // "a" finishes at 63 ms: the scrape at 100 ms has its tokens, the one at 200 ms nothing new
        FleetSimulator.builder(fleet).plugins(plugins).endpoint(Endpoint.COMPLETIONS).build()
                .run(List.of(request("a", 0, 100), request("b", 250, 100)));

        NodeSnapshot atB = picker.seen.get(1).getFirst();
        assertThat(atB.telemetry().load().promptTokensTotal()).isEqualTo(100);
        assertThat(atB.telemetry().load().generationTokensTotal()).isEqualTo(4);
        assertThat(atB.telemetry().generationTokensPerSecond()).isZero(); // between the 100 and 200 ms scrapes
        assertThat(atB.telemetry().scrapedAt()).isEqualTo(Instant.EPOCH.plusMillis(200));
    }
}
