package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LatencyOutliersTest {
    private final ManualClock clock = new ManualClock();
    /** factor 3, at least 5 samples, 60 s window. */
    private final LatencyOutliers outliers = new LatencyOutliers(3.0, 5, Duration.ofSeconds(60), clock);

    private void feed(String node, String model, int count, long millis) {
        for (int i = 0; i < count; i++) {
            outliers.record(node, model, Duration.ofMillis(millis));
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                verdict("four times slower than two peers is slow",
                        Map.of("a", 400L, "b", 100L, "c", 100L), 5, false, Set.of("b", "c"), true),
                verdict("exactly at the factor is not slow", Map.of("a", 300L, "b", 100L, "c", 100L), 5, false,
                        Set.of("b", "c"), false),
                verdict("one peer is not a fleet", Map.of("a", 1000L, "b", 100L), 5, false, Set.of("b"), false),
                verdict("too few samples on the node", Map.of("a", 1000L, "b", 100L, "c", 100L), 4, false,
                        Set.of("b", "c"), false),
                verdict("peers that are down do not count", Map.of("a", 1000L, "b", 100L, "c", 100L), 5, false,
                        Set.of("b"), false),
                verdict("a slow node stays slow between the recovery line and the factor",
                        Map.of("a", 250L, "b", 100L, "c", 100L), 5, true, Set.of("b", "c"), true),
                verdict("a slow node recovers below the recovery line",
                        Map.of("a", 230L, "b", 100L, "c", 100L), 5, true, Set.of("b", "c"), false),
                verdict("the fleet is the median of the peers' medians, so one slow peer does not hide the node",
                        Map.of("a", 400L, "b", 100L, "c", 100L, "d", 5000L), 5, false, Set.of("b", "c", "d"), true));
    }

    private static Arguments verdict(String name, Map<String, Long> millisByNode, int samples, boolean wasSlow,
                                     Set<String> peersUp, boolean slow) {
        return Arguments.of(Named.of(name, millisByNode), samples, wasSlow, peersUp, slow);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void assess_table_verdict(Map<String, Long> millisByNode, int samplesOnA, boolean wasSlow, Set<String> peersUp,
                              boolean slow) {
        millisByNode.forEach((node, ms) -> feed(node, "m", node.equals("a") ? samplesOnA : 5, ms));
        LatencyOutliers.Verdict v = outliers.assess("a", wasSlow, peersUp::contains);
        assertThat(v instanceof LatencyOutliers.Verdict.Slow).as(v.reason()).isEqualTo(slow);
    }

    @Test
    void assess_slow_reasonNamesNodeAndFleetMedians() {
        feed("a", "m", 5, 480);
        feed("b", "m", 5, 120);
        feed("c", "m", 5, 120);
        assertThat(outliers.assess("a", false, n -> true).reason())
                .isEqualTo("latency outlier: p50 TTFB 480 ms vs fleet 120 ms (model m)");
    }

    @Test
    void assess_medianIgnoresAFewSpikes() {
        feed("a", "m", 3, 100);
        feed("a", "m", 2, 10_000);
        feed("b", "m", 5, 100);
        feed("c", "m", 5, 100);
        assertThat(outliers.assess("a", false, n -> true)).isInstanceOf(LatencyOutliers.Verdict.Normal.class);
    }

    @Test
    void assess_peersServeOtherModel_notCompared() {
        feed("a", "m", 5, 1000);
        feed("b", "other", 5, 100);
        feed("c", "other", 5, 100);
        assertThat(outliers.assess("a", false, n -> true)).isInstanceOf(LatencyOutliers.Verdict.Normal.class);
    }

    @Test
    void assess_samplesOlderThanWindow_dropSoNodeRecovers() {
        feed("a", "m", 5, 1000);
        clock.advance(Duration.ofSeconds(30));
        feed("b", "m", 5, 100);
        feed("c", "m", 5, 100);
        assertThat(outliers.assess("a", false, n -> true)).isInstanceOf(LatencyOutliers.Verdict.Slow.class);
        clock.advance(Duration.ofSeconds(31));
        assertThat(outliers.assess("a", true, n -> true)).isInstanceOf(LatencyOutliers.Verdict.Normal.class);
        assertThat(outliers.medianMillis("a", "m")).isNaN();
    }

    @Test
    void p95Millis_twentySamples_isTheNineteenthSmallestAndNaNWithTooFew() {
        assertThat(outliers.p95Millis("a", "m")).isNaN();
        feed("a", "m", 4, 10);
        assertThat(outliers.p95Millis("a", "m")).as("fewer than the 5 samples needed").isNaN();
        for (int i = 5; i <= 20; i++) {
            outliers.record("a", "m", Duration.ofMillis(i * 10L));
        }
        // 10,10,10,10,50,60,...,200: nearest rank 19 of 20
        assertThat(outliers.p95Millis("a", "m")).isEqualTo(190.0);
        clock.advance(Duration.ofSeconds(61));
        assertThat(outliers.p95Millis("a", "m")).as("samples out of the window").isNaN();
    }

    @Test
    void medianAndP95_keptBetweenQueries_followEverySampleThatEntersOrLeaves() {
        feed("a", "m", 5, 100);
        assertThat(outliers.medianMillis("a", "m")).isEqualTo(100.0);
        assertThat(outliers.p95Millis("a", "m")).isEqualTo(100.0);
        clock.advance(Duration.ofSeconds(40));
        feed("a", "m", 6, 300);
        // 5 x 100, 6 x 300: the figures of the window as it is now, not as last asked
        assertThat(outliers.medianMillis("a", "m")).isEqualTo(300.0);
        assertThat(outliers.p95Millis("a", "m")).isEqualTo(300.0);
        clock.advance(Duration.ofSeconds(21));
        outliers.record("a", "m", Duration.ofMillis(50));
        // the 100s left the window at 60 s, the 50 came in: 50, 300 x 6
        assertThat(outliers.medianMillis("a", "m")).isEqualTo(300.0);
        assertThat(outliers.medians("a")).containsEntry("m", 300.0);
        feed("a", "m", 7, 50);
        assertThat(outliers.medianMillis("a", "m")).isEqualTo(50.0);
        assertThat(outliers.p95Millis("a", "m")).isEqualTo(300.0);
    }

    @Test
    void assess_manyPeers_fleetIsTheMedianOfAllOfThem() {
        // 40 peers (more than the gathering array's first size): 21 at 100 ms and 19 at 1,000 ms
        for (int i = 0; i < 40; i++) {
            feed("p" + i, "m", 5, i < 21 ? 100 : 1000);
        }
        feed("a", "m", 5, 400);
        LatencyOutliers.Verdict v = outliers.assess("a", false, n -> true);
        assertThat(v).isInstanceOf(LatencyOutliers.Verdict.Slow.class);
        assertThat(((LatencyOutliers.Verdict.Slow) v).fleetMillis()).isEqualTo(100.0);
        // two more slow peers tip the median: 21 at 100, 21 at 1,000 -> 550
        feed("p40", "m", 5, 1000);
        feed("p41", "m", 5, 1000);
        LatencyOutliers.Verdict after = outliers.assess("a", false, n -> true);
        assertThat(after).isInstanceOf(LatencyOutliers.Verdict.Normal.class);
        assertThat(outliers.fleetMedians(n -> !n.equals("a"))).containsEntry("m", 550.0);
    }

    @Test
    void record_moreThanMaxSamples_keepsOnlyTheNewest() {
        feed("a", "m", LatencyOutliers.MAX_SAMPLES, 1000);
        feed("a", "m", LatencyOutliers.MAX_SAMPLES, 100);
        assertThat(outliers.medianMillis("a", "m")).isEqualTo(100.0);
    }

    @Test
    void registry_slowNode_degradedWithReasonAndBackWhenSamplesAgeOut() {
        GatewayConfig.Health rules = GatewayConfig.Health.defaults().withOutliers(3.0, 5, Duration.ofSeconds(60));
        NodeRegistry registry = new NodeRegistry(java.util.List.of(new GatewayConfig.Node("a", "http://h:1"),
                new GatewayConfig.Node("b", "http://h:2"), new GatewayConfig.Node("c", "http://h:3")), clock,
                Duration.ofDays(1), rules);
        java.util.List<NodeTransition> seen = new java.util.ArrayList<>();
        registry.addTransitionListener(seen::add);
        for (String n : java.util.List.of("a", "b", "c")) {
            registry.markUp(n, Set.of("m"));
        }
        for (int i = 0; i < 5; i++) {
            registry.latencySample("b", "m", Duration.ofMillis(120));
            registry.latencySample("c", "m", Duration.ofMillis(120));
            registry.latencySample("a", "m", Duration.ofMillis(480));
        }
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.DEGRADED);
        assertThat(registry.snapshot("b").state()).isEqualTo(NodeState.HEALTHY);
        assertThat(seen).last().extracting(NodeTransition::reason)
                .isEqualTo("latency outlier: p50 TTFB 480 ms vs fleet 120 ms (model m)");

        clock.advance(Duration.ofSeconds(61));
        registry.markUp("a", Set.of("m"));
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.HEALTHY);
    }

    @Test
    void medians_perModelWithEnoughSamples_onlyThose() {
        feed("a", "m", 5, 100);
        feed("a", "n", 4, 900);
        assertThat(outliers.medians("a")).containsExactly(Map.entry("m", 100.0));
        assertThat(outliers.medians("unknown")).isEmpty();
    }

    @Test
    void fleetMedians_medianOfCountedNodesMedians_modelsWithTwoOrMoreNodesOnly() {
        feed("a", "m", 5, 100);
        feed("b", "m", 5, 300);
        feed("c", "m", 5, 200);
        feed("d", "m", 5, 9000);
        feed("a", "n", 5, 50);
        assertThat(outliers.fleetMedians(node -> !node.equals("d")))
                .as("d does not count; n has one node only").containsExactly(Map.entry("m", 200.0));
    }

    @Test
    void medians_samplesOlderThanTheWindow_dropped() {
        feed("a", "m", 5, 100);
        clock.advance(Duration.ofSeconds(61));
        assertThat(outliers.medians("a")).isEmpty();
    }
}
