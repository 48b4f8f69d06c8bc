package dev.flotilla.planner.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.planner.perf.ChunkedIterationModel;
import dev.flotilla.planner.perf.IterationModel;
import dev.flotilla.planner.perf.RequestSize;
import dev.flotilla.planner.testdata.InfernoTestData;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The single-replica examples of llm-inferno/queue-analysis: {@code /solve} and {@code /target} with
 * the v0.3.0 iteration model, {@code /optimize} with the later chunked-prefill analysis.
 */
class QueueAnalyzerExamplesTest {

    private static final double RELATIVE = 1e-3;

    private static JsonNode problem() {
        return InfernoTestData.json(InfernoTestData.QUEUE_EXAMPLES, "problem-data.json");
    }

    /** Reads a key ignoring case, as Go does ({@code AvgInputTokens} vs {@code avgInputTokens}). */
    private static double number(JsonNode node, String key) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(key)) {
                return e.getValue().asDouble();
            }
        }
        throw new AssertionError("problem-data.json has no " + key);
    }

    private static RequestSize request() {
        JsonNode p = problem();
        return new RequestSize(number(p, "avgInputTokens"), number(p, "avgOutputTokens"));
    }

    private static Targets targets() {
        JsonNode p = problem();
        return new Targets(number(p, "targetTTFT"), number(p, "targetITL"), 0);
    }

    private static QueueAnalyzer analyzer() {
        JsonNode p = problem();
        return new QueueAnalyzer(new IterationModel(number(p, "alpha"), number(p, "beta"), number(p, "gamma")),
                request(), (int) number(p, "maxBatchSize"), (int) number(p, "maxQueueSize"));
    }

    static Stream<Arguments> solveFields() {
        QueueMetrics m = analyzer().analyze(number(problem(), "RPS"));
        return fields(m, "solution-solve.json", null);
    }

    static Stream<Arguments> targetFields() {
        Sizing.Feasible s = (Sizing.Feasible) analyzer().size(targets());
        return fields(s.atBinding(), "solution-target.json", s.rates());
    }

    private static Stream<Arguments> fields(QueueMetrics m, String file, TargetRates rates) {
        JsonNode expected = InfernoTestData.json(InfernoTestData.QUEUE_EXAMPLES, file);
        Map<String, Function<QueueMetrics, Double>> ours = new java.util.LinkedHashMap<>();
        ours.put("throughput", QueueMetrics::throughput);
        ours.put("avgRespTime", QueueMetrics::avgRespTime);
        ours.put("avgWaitTime", QueueMetrics::avgWaitTime);
        ours.put("avgNumInServ", QueueMetrics::avgNumInService);
        ours.put("avgTTFT", QueueMetrics::ttft);
        ours.put("avgITL", QueueMetrics::itl);
        ours.put("maxRPS", QueueMetrics::maxRate);
        Stream<Arguments> base = ours.entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), e.getValue().apply(m), expected.get(e.getKey()).asDouble()));
        if (rates == null) {
            return base;
        }
        return Stream.concat(base, Stream.of(
                Arguments.of("RPSTargetTTFT", rates.ttft(), expected.get("RPSTargetTTFT").asDouble()),
                Arguments.of("RPSTargetITL", rates.itl(), expected.get("RPSTargetITL").asDouble())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("solveFields")
    void analyze_exampleLoad_matchesPublishedSolve(String field, double ours, double published) {
        assertThat(ours).as(field).isCloseTo(published, within(Math.abs(published) * RELATIVE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targetFields")
    void size_exampleTargets_matchesPublishedTarget(String field, double ours, double published) {
        assertThat(ours).as(field).isCloseTo(published, within(Math.abs(published) * RELATIVE));
    }

    @Test
    void concurrencySearch_exampleTargets_matchesPublishedOptimize() {
        JsonNode p = problem();
        ChunkedIterationModel model = ChunkedIterationModel.of(number(p, "alpha"), number(p, "beta"), number(p, "gamma"));
        ConcurrencySearch.Result r = new ConcurrencySearch(model, request(), targets(), (int) number(p, "maxQueueSize"))
                .find((int) number(p, "maxBatchSize"));
        JsonNode e = InfernoTestData.json(InfernoTestData.QUEUE_EXAMPLES, "solution-optimize.json");

        assertThat(r.feasible()).isEqualTo(e.get("feasible").asBoolean());
        assertThat(r.concurrency()).isEqualTo(e.get("concurrency").asInt());
        assertThat(r.mItl()).isEqualTo(e.get("M_ITL").asInt());
        assertThat(r.mTpf()).isEqualTo(e.get("M_TPF").asInt());
        assertThat(r.calls()).isEqualTo(e.get("oracleCalls").asInt());
        assertClose("throughput", r.throughput(), e);
        assertClose("avgRespTime", r.metrics().avgRespTime(), e);
        assertClose("avgWaitTime", r.metrics().avgWaitTime(), e);
        assertClose("avgNumInServ", r.metrics().avgNumInService(), e);
        assertClose("avgTTFT", r.metrics().ttft(), e);
        assertClose("avgITL", r.metrics().itl(), e);
        assertClose("maxRPS", r.metrics().maxRate(), e);
    }

    private static void assertClose(String field, double ours, JsonNode expected) {
        double published = expected.get(field).asDouble();
        assertThat(ours).as(field).isCloseTo(published, within(Math.abs(published) * RELATIVE));
    }
}
