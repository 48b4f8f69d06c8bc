package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.NAN;
import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Nodes.Age;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InferOpsScorerTest {
    private static InferOpsScorer scorer(Map<String, Object> params) {
        return InferOpsScorer.create(new PluginParams("s", params), PluginContext.of(Clock.systemUTC(), 1));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // a: V=1 F=1 U=.5 M=.5 T=60 -> P=0:  (.2+.2+.3*.5+.2*.5+.1)/1 = .75
                // b: V=.5 F=.5 U=0 M=0 T=85 -> P=1:  (.1+.1+.3+.2+0)/1 = .70
                Arguments.of(Named.of("all factors known (formula by hand)", Map.of()),
                        Nodes.all(node("a").facts(80, 200.0).age(Age.FRESH).gpu(0.5, 40, 80, 60),
                                node("b").facts(40, 100.0).age(Age.FRESH).gpu(0, 0, 40, 85)),
                        new double[] {0.75, 0.70}),
                // temperature 77.5 is half way from 70 to 85: P = .5
                Arguments.of(Named.of("temperature weight only: linear penalty between safe and throttle",
                                Map.of("vram", 0, "tflops", 0, "utilisation", 0, "memory", 0, "temperature", 1)),
                        Nodes.all(node("a").age(Age.FRESH).gpu(0, 0, 1, 77.5),
                                node("b").age(Age.FRESH).gpu(0, 0, 1, 50).gpu(0, 0, 1, 99)),
                        new double[] {0.5, 0}),
                // stale: only V and F (both 1 and .5): a = (.2+.2)/.4 = 1, b = .5
                Arguments.of(Named.of("stale telemetry: static factors only", Map.of()),
                        Nodes.all(node("a").facts(80, 200.0).age(Age.STALE).gpu(1, 80, 80, 99),
                                node("b").facts(40, 100.0).age(Age.STALE).gpu(0, 0, 40, 20)),
                        new double[] {1, 0.5}),
                Arguments.of(Named.of("nothing known: NaN (neutral)", Map.of()), Nodes.all(node("a"), node("b")),
                        new double[] {NAN, NAN}),
                // F unknown, V from the GPUs' total (80 vs 40). a: V=1, U=.5 -> (.2+.15)/.5 = .7; b: V=.5 only
                Arguments.of(Named.of("missing figures (NaN) left out of both sums", Map.of()),
                        Nodes.all(node("a").age(Age.FRESH).gpu(0.5, NAN, 80, NAN),
                                node("b").age(Age.FRESH).gpu(NAN, NAN, 40, NAN)),
                        new double[] {0.7, 0.5}),
                Arguments.of(Named.of("one node: its own maximum", Map.of()),
                        Nodes.all(node("a").facts(24, 80.0)), new double[] {1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void score_case_followsTheFormula(Map<String, Object> params, List<NodeSnapshot> nodes, double[] expected) {
        double[] got = LoadScorersTest.score(scorer(params), nodes);
        for (int i = 0; i < expected.length; i++) {
            if (Double.isNaN(expected[i])) {
                assertThat(got[i]).as("node %d", i).isNaN();
            } else {
                assertThat(got[i]).as("node %d", i).isCloseTo(expected[i], within(1e-9));
            }
        }
    }

    @Test
    void create_throttleBelowSafe_namesPathAndValue() {
        assertThatThrownBy(() -> scorer(Map.of("safeTemperatureC", 80, "throttleTemperatureC", 75)))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("s.throttleTemperatureC: 75.0");
    }
}
