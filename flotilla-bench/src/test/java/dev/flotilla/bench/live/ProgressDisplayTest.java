package dev.flotilla.bench.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {

    @Test
    void line_countAndTimeBounds_showBoth() {
        assertThat(ProgressDisplay.line(new Progress(40, 30, 2, 8, 12.34, 100, 60)))
                .isEqualTo("bench: 12.3/60 s, 40/100 sent, 30 completed, 2 failed, 8 in flight");
        assertThat(ProgressDisplay.line(new Progress(5, 5, 0, 0, 1, -1, Double.NaN)))
                .isEqualTo("bench: 1.0 s, 5 sent, 5 completed, 0 failed, 0 in flight");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {"unset, -, 80", "wide terminal, 200, 199", "narrow, 20, 40", "garbage, wide, 80"})
    void width_fromColumns(String name, String columns, int width) {
        assertThat(ProgressDisplay.width(columns)).isEqualTo(width);
    }
}
