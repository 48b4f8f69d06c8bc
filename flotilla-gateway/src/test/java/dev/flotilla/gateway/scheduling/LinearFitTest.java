package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.scheduling.LinearFit.Line;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LinearFitTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("exact line", new double[][] {{1, 7}, {2, 9}, {5, 15}}), 0.5, 5.0, 2.0),
                Arguments.of(Named.of("x never varies: prior slope kept, base fitted",
                        new double[][] {{10, 30}, {10, 32}, {10, 28}}), 0.5, 25.0, 0.5),
                Arguments.of(Named.of("falling line: slope clamped to 0, base the mean",
                        new double[][] {{1, 10}, {2, 8}, {3, 6}}), 0.0, 8.0, 0.0),
                Arguments.of(Named.of("line below the origin at 0: base clamped to 0, slope through the origin",
                        new double[][] {{10, 0}, {20, 10}}), 0.0, 0.0, 0.4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void line_samples_fitsNonNegativeLine(double[][] samples, double priorSlope, double base, double slope) {
        LinearFit fit = new LinearFit(1.0);
        for (double[] s : samples) {
            fit.add(s[0], s[1]);
        }
        Line line = fit.line(priorSlope);
        assertThat(line.base()).isCloseTo(base, within(1e-9));
        assertThat(line.slope()).isCloseTo(slope, within(1e-9));
        assertThat(fit.count()).isEqualTo(samples.length);
    }

    @Test
    void line_decay_followsAChangedNode() {
        LinearFit fit = new LinearFit(0.8);
        for (int i = 0; i < 100; i++) {
            fit.add(i % 10, 10 + 1.0 * (i % 10)); // old speed
        }
        for (int i = 0; i < 60; i++) {
            fit.add(i % 10, 20 + 3.0 * (i % 10)); // three times slower per unit now
        }
        Line line = fit.line(0);
        assertThat(line.slope()).isCloseTo(3.0, within(0.05));
        assertThat(line.base()).isCloseTo(20.0, within(0.5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sums_snapshot_givesTheLineAndIgnoresLaterSamples(double[][] samples, double priorSlope, double base,
                                                           double slope) {
        LinearFit fit = new LinearFit(1.0);
        for (double[] s : samples) {
            fit.add(s[0], s[1]);
        }
        LinearFit.Sums sums = fit.sums();
        fit.add(1000, 1e6); // after the snapshot: must not show in it
        assertThat(sums.base(priorSlope)).isCloseTo(base, within(1e-9));
        assertThat(sums.slope(priorSlope)).isCloseTo(slope, within(1e-9));
        assertThat(sums.line(priorSlope)).isEqualTo(new Line(sums.base(priorSlope), sums.slope(priorSlope)));
        assertThat(sums.count()).isEqualTo(samples.length);
    }
}
