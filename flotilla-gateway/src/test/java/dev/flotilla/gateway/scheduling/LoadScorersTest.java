package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.NAN;
import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Nodes.Age;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LoadScorersTest {

    static double[] score(Scorer scorer, List<NodeSnapshot> nodes) {
        double[] scores = new double[nodes.size()];
        scorer.score(Nodes.request("hello"), nodes, scores);
        return scores;
    }

    static Stream<Arguments> queueCases() {
        return Stream.of(
                Arguments.of(Named.of("waiting plus outstanding, normalised",
                        Nodes.all(node("a").load(Age.FRESH, 4, 2, 0.1).outstanding(2),
                                node("b").load(Age.FRESH, 4, 0, 0.1).outstanding(0),
                                node("c").load(Age.FRESH, 4, 6, 0.1).outstanding(2))), new double[] {0.5, 1, 0}),
                Arguments.of(Named.of("stale telemetry: only outstanding counts",
                        Nodes.all(node("a").load(Age.STALE, 0, 100, 0).outstanding(1),
                                node("b").load(Age.FRESH, 0, 0, 0).outstanding(3))), new double[] {1, 0}),
                Arguments.of(Named.of("waiting not reported (NaN): outstanding only",
                        Nodes.all(node("a").load(Age.FRESH, NAN, NAN, NAN).outstanding(2),
                                node("b").outstanding(4), node("c").outstanding(3))), new double[] {1, 0, 0.5}),
                Arguments.of(Named.of("all equal: all 1",
                        Nodes.all(node("a").outstanding(2), node("b").outstanding(2))), new double[] {1, 1}),
                Arguments.of(Named.of("one node: 1",
                        Nodes.all(node("a").load(Age.FRESH, 9, 9, 0.9).outstanding(9))), new double[] {1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("queueCases")
    void queueDepth_case_scores(List<NodeSnapshot> nodes, double[] expected) {
        assertThat(score(new QueueDepthScorer(), nodes)).containsExactly(expected, within(1e-9));
    }

    static Stream<Arguments> kvCases() {
        return Stream.of(
                Arguments.of(Named.of("fresh usage: 1 - usage",
                        Nodes.all(node("a").load(Age.FRESH, 1, 0, 0.25), node("b").load(Age.FRESH, 1, 0, 0.9))),
                        new double[] {0.75, 0.1}),
                Arguments.of(Named.of("stale: NaN (neutral)",
                        Nodes.all(node("a").load(Age.STALE, 1, 0, 0.25))), new double[] {NAN}),
                Arguments.of(Named.of("not reported: NaN", Nodes.all(node("a").load(Age.FRESH, 1, 0, NAN))),
                        new double[] {NAN}),
                Arguments.of(Named.of("no telemetry: NaN", Nodes.all(node("a"))), new double[] {NAN}),
                Arguments.of(Named.of("out of range clamped", Nodes.all(node("a").load(Age.FRESH, 1, 0, 1.5),
                        node("b").load(Age.FRESH, 1, 0, -0.5))), new double[] {0, 1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kvCases")
    void kvCache_case_scores(List<NodeSnapshot> nodes, double[] expected) {
        double[] got = score(new KvCacheScorer(), nodes);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertThat(got[i]).as("node %d", i).isNaN();
            } else {
                assertThat(got[i]).as("node %d", i).isCloseTo(expected[i], within(1e-9));
            }
        }
    }

    static Stream<Arguments> tokenCases() {
        return Stream.of(
                Arguments.of(Named.of("fewest tokens best",
                        Nodes.all(node("a").inFlightTokens(1000), node("b").inFlightTokens(0),
                                node("c").inFlightTokens(4000))), new double[] {0.75, 1, 0}),
                Arguments.of(Named.of("tokens, not requests, decide",
                        Nodes.all(node("a").inFlightTokens(9000).outstanding(1),
                                node("b").inFlightTokens(100).outstanding(5))), new double[] {0, 1}),
                Arguments.of(Named.of("all equal", Nodes.all(node("a").inFlightTokens(7), node("b").inFlightTokens(7))),
                        new double[] {1, 1}),
                Arguments.of(Named.of("one node", Nodes.all(node("a").inFlightTokens(7))), new double[] {1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tokenCases")
    void inFlightTokens_case_scores(List<NodeSnapshot> nodes, double[] expected) {
        assertThat(score(new InFlightTokensScorer(), nodes)).containsExactly(expected, within(1e-9));
        assertThat(score(perTflops(), nodes)).as("per tflops, no node declares any: tokens as they are")
                .containsExactly(expected, within(1e-9));
    }

    private static InFlightTokensScorer perTflops() {
        return InFlightTokensScorer.create(new PluginParams("scheduling.profiles.p.scorers[0].params",
                Map.of("per", "tflops")));
    }

    static Stream<Arguments> perTflopsCases() {
        return Stream.of(
                // H100 989 TFLOPS with 3,000 tokens (3.0 per TFLOPS) against L4 121 with 1,000 (8.3)
                Arguments.of(Named.of("a fast node with more tokens is the less loaded",
                        Nodes.all(node("h100").facts(80, 989.0).inFlightTokens(3000),
                                node("l4").facts(24, 121.0).inFlightTokens(1000))), new double[] {1, 0}),
                Arguments.of(Named.of("one kind: the same scores as tokens",
                        Nodes.all(node("a").facts(80, 312.0).inFlightTokens(1000),
                                node("b").facts(80, 312.0).inFlightTokens(0),
                                node("c").facts(80, 312.0).inFlightTokens(4000))), new double[] {0.75, 1, 0}),
                // w: 1000/100 = 10, 2000/200 = 10, the undeclared node 500 / 100 (the slowest known) = 5
                Arguments.of(Named.of("no TFLOPS declared: counted as the slowest known node",
                        Nodes.all(node("slow").facts(24, 100.0).inFlightTokens(1000),
                                node("fast").facts(80, 200.0).inFlightTokens(2000),
                                node("unknown").inFlightTokens(500))), new double[] {0, 0, 1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("perTflopsCases")
    void inFlightTokens_perTflops_case_scores(List<NodeSnapshot> nodes, double[] expected) {
        assertThat(score(perTflops(), nodes)).containsExactly(expected, within(1e-9));
    }

    @Test
    void inFlightTokens_perUnknown_namesTheParameterAndTheChoices() {
        assertThatThrownBy(() -> InFlightTokensScorer.create(new PluginParams("scheduling.profiles.p.scorers[2].params",
                Map.of("per", "gpus"))))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage("scheduling.profiles.p.scorers[2].params.per: \"gpus\" (expected tokens or tflops)");
    }
}
