package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PickersTest {
    private static final List<NodeSnapshot> THREE = Nodes.all(node("a"), node("b"), node("c"));

    private static Picker picker(String type, long seed) {
        return SchedulingPlugins.builtIn().picker(type, PluginParams.none("p"),
                PluginContext.of(Clock.systemUTC(), seed));
    }

    private static List<Integer> picks(Picker picker, List<NodeSnapshot> nodes, double[] totals, int count) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(picker.pick(Nodes.request("x"), nodes, totals));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"max-score", "weighted-random", "power-of-two", "round-robin", "sglang-cache-aware"})
    void pick_noCandidates_minusOne_oneCandidate_zero(String type) {
        Picker p = picker(type, 7);
        assertThat(p.pick(Nodes.request("x"), List.of(), new double[0])).isEqualTo(-1);
        assertThat(p.pick(Nodes.request("x"), Nodes.all(node("a")), new double[] {0.3})).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"max-score", "weighted-random", "power-of-two"})
    void pick_sameSeed_sameSequence(String type) {
        double[] totals = {1, 1, 1};
        assertThat(picks(picker(type, 99), THREE, totals, 200)).isEqualTo(picks(picker(type, 99), THREE, totals, 200))
                .as("the sequence uses more than one node").containsAnyOf(0).containsAnyOf(1).containsAnyOf(2);
    }

    static Stream<Arguments> maxScoreCases() {
        return Stream.of(
                Arguments.of(Named.of("unique maximum", new double[] {0.2, 2.5, 1.0}), List.of(1)),
                Arguments.of(Named.of("tie between a and c: both, never b", new double[] {3, 1, 3}), List.of(0, 2)),
                Arguments.of(Named.of("all zero (no scorers): any", new double[] {0, 0, 0}), List.of(0, 1, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("maxScoreCases")
    void maxScore_totals_picksAmongTheBest(double[] totals, List<Integer> allowed) {
        List<Integer> got = picks(picker("max-score", 3), THREE, totals, 300);
        assertThat(got).allMatch(allowed::contains);
        assertThat(got).containsAll(allowed); // ties are shared, not always the first
    }

    private static Picker maxScore(Map<String, Object> params) {
        return SchedulingPlugins.builtIn().picker("max-score", new PluginParams("p.picker.params", params),
                PluginContext.of(Clock.systemUTC(), 5));
    }

    static Stream<Arguments> toleranceCases() {
        return Stream.of(
                Arguments.of(Named.of("within tolerance 0.5: a and b take turns, never c",
                        new double[] {3.0, 2.7, 2.0}), List.of(0, 1, 0, 1, 0, 1)),
                Arguments.of(Named.of("all within: round-robin order", new double[] {1.0, 1.2, 1.1}),
                        List.of(0, 1, 2, 0, 1, 2)),
                Arguments.of(Named.of("a clear best: always it", new double[] {1.0, 2.0, 1.0}),
                        List.of(1, 1, 1, 1, 1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("toleranceCases")
    void maxScore_leastRecentWithinTolerance_takesTurnsAmongTheNearBest(double[] totals, List<Integer> expected) {
        Picker p = maxScore(Map.of("tolerance", 0.5, "ties", "least-recent"));
        assertThat(picks(p, THREE, totals, 6)).isEqualTo(expected);
    }

    @Test
    void maxScore_leastRecent_aNodeChosenBeforeWaitsBehindOnesNeverChosen() {
        Picker p = maxScore(Map.of("ties", "least-recent"));
        assertThat(p.pick(Nodes.request("x"), Nodes.all(node("b")), new double[] {1})).isZero();
        // b was chosen, a and c never: a (first in order) then c, then b
        assertThat(picks(p, THREE, new double[] {1, 1, 1}, 3)).containsExactly(0, 2, 1);
    }

    @Test
    void maxScore_unknownTies_failsNamingThePath() {
        assertThatThrownBy(() -> maxScore(Map.of("ties", "first")))
                .hasMessageContaining("p.picker.params.ties").hasMessageContaining("first");
    }

    @Test
    void weightedRandom_totals_frequenciesProportional() {
        double[] totals = {1, 2, 3, 0};
        List<NodeSnapshot> four = Nodes.all(node("a"), node("b"), node("c"), node("d"));
        int n = 60_000;
        int[] counts = new int[4];
        for (int i : picks(picker("weighted-random", 11), four, totals, n)) {
            counts[i]++;
        }
        assertThat(counts[3]).as("a zero total is never picked").isZero();
        // binomial standard deviation is at most sqrt(0.25 / n) = 0.002: 0.01 is five of them
        assertThat((double) counts[0] / n).isCloseTo(1 / 6.0, within(0.01));
        assertThat((double) counts[1] / n).isCloseTo(2 / 6.0, within(0.01));
        assertThat((double) counts[2] / n).isCloseTo(3 / 6.0, within(0.01));
    }

    @Test
    void weightedRandom_allZeroOrNegative_uniform() {
        int[] counts = new int[3];
        for (int i : picks(picker("weighted-random", 5), THREE, new double[] {0, -1, 0}, 3000)) {
            counts[i]++;
        }
        assertThat(java.util.Arrays.stream(counts).min().orElseThrow()).isGreaterThan(800);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 1234567})
    void powerOfTwo_anySeed_neverPicksTheWorst(long seed) {
        // two different candidates are drawn and the better kept, so the strictly worst can never win
        List<Integer> got = picks(picker("power-of-two", seed), THREE, new double[] {0.9, 0.1, 0.5}, 500);
        assertThat(got).doesNotContain(1).contains(0, 2);
        assertThat(picks(picker("power-of-two", seed), Nodes.all(node("a"), node("b")), new double[] {0.1, 0.2}, 50))
                .containsOnly(1);
    }

    @Test
    void maxScore_sameSeedDifferentPlaces_drawDifferentSequences() {
        PluginContext ctx = PluginContext.of(Clock.systemUTC(), 5);
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        double[] ties = new double[10];
        List<NodeSnapshot> ten = Nodes.all(node("0"), node("1"), node("2"), node("3"), node("4"), node("5"),
                node("6"), node("7"), node("8"), node("9"));
        List<Integer> first = picks(plugins.picker("max-score", PluginParams.none("profiles.a.picker"), ctx), ten,
                ties, 50);
        List<Integer> second = picks(plugins.picker("max-score", PluginParams.none("profiles.b.picker"), ctx), ten,
                ties, 50);
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void roundRobin_ignoresScores_cycles() {
        assertThat(picks(picker("round-robin", 0), THREE, new double[] {0, 9, 0}, 7))
                .containsExactly(0, 1, 2, 0, 1, 2, 0);
    }
}
