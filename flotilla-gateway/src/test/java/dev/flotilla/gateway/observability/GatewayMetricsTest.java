package dev.flotilla.gateway.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.NodeTransition;
import dev.flotilla.protocol.PrometheusText;
import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.MetricType;
import dev.flotilla.protocol.PrometheusText.Sample;
import io.micrometer.core.instrument.MockClock;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GatewayMetricsTest {
    private static final long MS = 1_000_000L;

    private final List<NodeSnapshot> fleet = new CopyOnWriteArrayList<>(List.of(
            node("a", true, NodeState.HEALTHY, 2), node("b", false, NodeState.STARTING, 0)));
    private final GatewayMetrics metrics = new GatewayMetrics(() -> List.copyOf(fleet), Set.of("m", "n")::contains,
            new MockClock());

    private static NodeSnapshot node(String name, boolean up, NodeState state, int outstanding) {
        return new NodeSnapshot(name, URI.create("http://127.0.0.1:1"), up, Set.of("m"), NodeFacts.UNKNOWN, outstanding,
                Instant.EPOCH, null, null, state);
    }

    private Exposition scrape() {
        return PrometheusText.parseStrict(metrics.scrape());
    }

    private static double value(Exposition e, String name, Map<String, String> labels) {
        return PrometheusText.value(e.samples(), name, labels);
    }

    @Test
    void scrape_afterRequestOutcomes_countersByModelNodeAndOutcomeOnly() {
        metrics.series("m", "a").request(Outcome.OK, 200 * MS);
        metrics.series("m", "a").request(Outcome.OK, 300 * MS);
        metrics.series("m", "a").request(Outcome.NODE_ERROR, 10 * MS);
        metrics.record("none", "none", Outcome.CLIENT_ERROR, 0.001);

        Exposition e = scrape();
        assertThat(e.typeOf("flotilla_requests_total")).isEqualTo(MetricType.COUNTER);
        assertThat(value(e, "flotilla_requests_total", Map.of("model", "m", "node", "a", "outcome", "ok"))).isEqualTo(2);
        assertThat(value(e, "flotilla_requests_total", Map.of("model", "m", "node", "a", "outcome", "node_error")))
                .isEqualTo(1);
        assertThat(value(e, "flotilla_requests_total", Map.of("model", "none", "node", "none", "outcome", "client_error")))
                .isEqualTo(1);
        // outcomes that never happened are not exposed, so sum by (outcome) shows only real ones
        assertThat(e.samples("flotilla_requests_total")).hasSize(3);
        assertThat(value(e, "flotilla_request_duration_seconds_count", Map.of("model", "m", "node", "a"))).isEqualTo(3);
        assertThat(value(e, "flotilla_request_duration_seconds_sum", Map.of("model", "m", "node", "a")))
                .isCloseTo(0.51, within(1e-9));
        // no node, no stream: no stream or token series for it
        assertThat(e.samples()).filteredOn(s -> "none".equals(s.label("node")))
                .extracting(Sample::name).allMatch(n -> n.startsWith("flotilla_request"));
    }

    @Test
    void keptBytes_gaugeReadsTheSupplier_evenAfterGarbageCollection() {
        java.util.concurrent.atomic.AtomicLong kept = new java.util.concurrent.atomic.AtomicLong(4096);
        metrics.keptBytes(kept::get); // a method reference nothing else holds, as the gateway registers it
        // Micrometer holds a gauge's object weakly unless told otherwise: after a collection such a
        // gauge reads NaN (one CI run saw exactly that); System.gc() makes the collection happen here
        System.gc();
        kept.set(8192);

        Exposition e = scrape();
        assertThat(e.typeOf("flotilla_stream_kept_bytes")).isEqualTo(MetricType.GAUGE);
        assertThat(value(e, "flotilla_stream_kept_bytes", Map.of())).isEqualTo(8192);
    }

    static Stream<Arguments> histograms() {
        return Stream.of(
                histogram("time to first token", "flotilla_time_to_first_token_seconds", GatewayMetrics.TTFT_BUCKETS,
                        GatewayMetrics.Series::timeToFirstToken),
                histogram("inter-token latency", "flotilla_inter_token_latency_seconds", GatewayMetrics.ITL_BUCKETS,
                        GatewayMetrics.Series::interTokenLatency),
                histogram("end-to-end latency", "flotilla_request_duration_seconds", GatewayMetrics.REQUEST_BUCKETS,
                        (s, nanos) -> s.request(Outcome.OK, nanos)));
    }

    private static Arguments histogram(String name, String metric, double[] buckets,
                                       BiConsumer<GatewayMetrics.Series, Long> record) {
        return Arguments.of(Named.of(name, metric), buckets, record);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("histograms")
    void scrape_latencies_prometheusHistogramWithExplicitBuckets(String metric, double[] buckets,
                                                                BiConsumer<GatewayMetrics.Series, Long> record) {
        // one value between the 2nd and 3rd boundary, one exactly on the 5th, one beyond the last
        long low = (long) ((buckets[1] + buckets[2]) / 2 * 1e9);
        long exact = (long) (buckets[4] * 1e9);
        long beyond = (long) (buckets[buckets.length - 1] * 2e9);
        record.accept(metrics.series("m", "a"), low);
        record.accept(metrics.series("m", "a"), exact);
        record.accept(metrics.series("m", "a"), beyond);

        Exposition e = scrape();
        assertThat(e.typeOf(metric + "_bucket")).isEqualTo(MetricType.HISTOGRAM);
        List<Sample> bucketSamples = e.samples(metric + "_bucket").stream()
                .filter(s -> "a".equals(s.label("node")) && "m".equals(s.label("model"))).toList();
        List<Double> les = bucketSamples.stream().map(s -> Double.parseDouble(s.label("le").replace("+Inf", "Infinity")))
                .toList();
        List<Double> expected = new ArrayList<>();
        for (double b : buckets) {
            expected.add(b);
        }
        expected.add(Double.POSITIVE_INFINITY);
        assertThat(les).containsExactlyElementsOf(expected);
        for (int i = 0; i < bucketSamples.size(); i++) {
            double cumulative = i < 2 ? 0 : i < 4 ? 1 : i < buckets.length ? 2 : 3;
            assertThat(bucketSamples.get(i).value()).as("le=%s", bucketSamples.get(i).label("le")).isEqualTo(cumulative);
        }
        Map<String, String> labels = Map.of("model", "m", "node", "a");
        assertThat(value(e, metric + "_count", labels)).isEqualTo(3);
        assertThat(value(e, metric + "_sum", labels)).isCloseTo((low + exact + beyond) / 1e9, within(1e-6));
    }

    @Test
    void scrape_tokens_countersPerModelAndNodeUnknownSkipped() {
        metrics.series("m", "a").tokens(10, 5);
        metrics.series("m", "a").tokens(-1, 3);
        metrics.series("n", "a").tokens(7, -1);

        Exposition e = scrape();
        assertThat(e.typeOf("flotilla_prompt_tokens_total")).isEqualTo(MetricType.COUNTER);
        assertThat(value(e, "flotilla_prompt_tokens_total", Map.of("model", "m", "node", "a"))).isEqualTo(10);
        assertThat(value(e, "flotilla_generation_tokens_total", Map.of("model", "m", "node", "a"))).isEqualTo(8);
        assertThat(value(e, "flotilla_prompt_tokens_total", Map.of("model", "n", "node", "a"))).isEqualTo(7);
        assertThat(value(e, "flotilla_generation_tokens_total", Map.of("model", "n", "node", "a"))).isZero();
    }

    @Test
    void scrape_nodeGauges_followTheFleetAtScrapeTime() {
        Exposition first = scrape();
        assertThat(value(first, "flotilla_node_up", Map.of("node", "a"))).isEqualTo(1);
        assertThat(value(first, "flotilla_node_up", Map.of("node", "b"))).isZero();
        assertThat(value(first, "flotilla_node_outstanding_requests", Map.of("node", "a"))).isEqualTo(2);
        assertThat(value(first, "flotilla_node_state", Map.of("node", "b", "state", "starting"))).isEqualTo(1);
        assertThat(value(first, "flotilla_node_state", Map.of("node", "b", "state", "healthy"))).isZero();
        assertThat(first.samples("flotilla_node_state")).hasSize(2 * NodeState.values().length);

        // b leaves, c joins, a's load and state change
        fleet.clear();
        fleet.add(node("a", true, NodeState.DEGRADED, 0));
        fleet.add(node("c", true, NodeState.HEALTHY, 1));
        Exposition second = scrape();
        // gauges follow the fleet by themselves; counters of b stay until removeNode
        assertThat(second.samples()).filteredOn(s -> List.of("flotilla_node_up", "flotilla_node_state",
                "flotilla_node_outstanding_requests").contains(s.name())).noneMatch(s -> "b".equals(s.label("node")));
        assertThat(value(second, "flotilla_scrape_failures_total", Map.of("node", "b"))).isZero();
        assertThat(value(second, "flotilla_node_up", Map.of("node", "c"))).isEqualTo(1);
        assertThat(value(second, "flotilla_node_outstanding_requests", Map.of("node", "c"))).isEqualTo(1);
        assertThat(value(second, "flotilla_node_outstanding_requests", Map.of("node", "a"))).isZero();
        assertThat(value(second, "flotilla_node_state", Map.of("node", "a", "state", "degraded"))).isEqualTo(1);
        assertThat(value(second, "flotilla_node_state", Map.of("node", "a", "state", "healthy"))).isZero();
    }

    private void traffic(String node) {
        GatewayMetrics.Series s = metrics.series("m", node);
        s.request(Outcome.OK, 100 * MS);
        s.timeToFirstToken(20 * MS);
        s.interTokenLatency(5 * MS);
        s.tokens(3, 4);
        metrics.recordScrape(node, 0.002, false);
        metrics.recordTransition(new NodeTransition(node, NodeState.STARTING, NodeState.HEALTHY, "check passed",
                Instant.EPOCH));
    }

    @Test
    void removeNode_nodeLeftTheFleet_everySeriesOfItGoneOthersKept() {
        traffic("a");
        traffic("b");
        long before = scrape().samples().stream().filter(s -> "a".equals(s.label("node"))).count();

        fleet.removeIf(n -> n.name().equals("b"));
        metrics.removeNode("b");

        Exposition e = scrape();
        assertThat(e.samples()).noneMatch(s -> "b".equals(s.label("node")));
        assertThat(e.samples().stream().filter(s -> "a".equals(s.label("node"))).count()).isEqualTo(before);
    }

    @Test
    void removeNode_thenAddedAgain_freshSeriesAndGauges() {
        traffic("b");
        fleet.removeIf(n -> n.name().equals("b"));
        metrics.removeNode("b");
        scrape();

        fleet.add(node("b", true, NodeState.HEALTHY, 1));
        metrics.series("m", "b").request(Outcome.OK, 50 * MS);
        Exposition e = scrape();
        assertThat(value(e, "flotilla_requests_total", Map.of("model", "m", "node", "b", "outcome", "ok"))).isEqualTo(1);
        assertThat(value(e, "flotilla_time_to_first_token_seconds_count", Map.of("model", "m", "node", "b"))).isZero();
        assertThat(value(e, "flotilla_node_up", Map.of("node", "b"))).isEqualTo(1);
        assertThat(value(e, "flotilla_node_outstanding_requests", Map.of("node", "b"))).isEqualTo(1);
    }

    @Test
    void recordScrape_failuresCountedConfiguredNodesStartAtZero() {
        Exposition start = scrape();
        assertThat(value(start, "flotilla_scrape_failures_total", Map.of("node", "a"))).isZero();
        assertThat(value(start, "flotilla_scrape_failures_total", Map.of("node", "b"))).isZero();

        metrics.recordScrape("a", 0.003, true);
        metrics.recordScrape("a", 0.2, false);
        metrics.recordScrape("late", 0.004, true);
        Exposition e = scrape();
        assertThat(value(e, "flotilla_scrape_failures_total", Map.of("node", "a"))).isEqualTo(1);
        assertThat(value(e, "flotilla_scrape_failures_total", Map.of("node", "late"))).isZero();
        assertThat(e.typeOf("flotilla_scrape_duration_seconds_bucket")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(value(e, "flotilla_scrape_duration_seconds_count", Map.of("node", "a"))).isEqualTo(2);
        assertThat(value(e, "flotilla_scrape_duration_seconds_bucket", Map.of("node", "a", "le", "0.005"))).isEqualTo(1);
    }

    @Test
    void recordTransition_countedByNodeFromAndTo() {
        NodeTransition down = new NodeTransition("a", NodeState.HEALTHY, NodeState.UNHEALTHY, "refused", Instant.EPOCH);
        metrics.recordTransition(down);
        metrics.recordTransition(down);
        assertThat(value(scrape(), "flotilla_node_state_transitions_total",
                Map.of("node", "a", "from", "healthy", "to", "unhealthy"))).isEqualTo(2);
    }

    @Test
    void modelLabel_modelNoNodeReported_none() {
        assertThat(metrics.modelLabel("m")).isEqualTo("m");
        assertThat(metrics.modelLabel("made-up")).isEqualTo(GatewayMetrics.NONE);
        assertThat(metrics.modelLabel(null)).isEqualTo(GatewayMetrics.NONE);
    }

    @Test
    void scrape_everyFamily_flotillaPrefixAndTyped() {
        traffic("a");
        Exposition e = scrape();
        assertThat(e.samples()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.name()).startsWith("flotilla_");
            assertThat(e.familyOf(s.name())).as(s.name()).isNotNull();
        });
    }
}
