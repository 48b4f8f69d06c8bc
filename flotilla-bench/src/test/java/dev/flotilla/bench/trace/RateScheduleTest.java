package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RateScheduleTest {

    @Test
    void parse_steps_cumulativeAndInverseAgree() {
        RateSchedule s = RateSchedule.parse("0s:10, 1m:50; 90s:0");

        assertThat(s.rateAt(59.9)).isEqualTo(10);
        assertThat(s.rateAt(60)).isEqualTo(50);
        assertThat(s.rateAt(1000)).isZero();
        assertThat(s.cumulative(60)).isCloseTo(600, within(1e-9));
        assertThat(s.cumulative(1000)).isCloseTo(600 + 1500, within(1e-9));
        assertThat(s.inverse(600 + 250)).isCloseTo(65, within(1e-9));
        assertThat(s.inverse(2100.5)).isInfinite();
        assertThat(s.toString()).isEqualTo("0s:10,60s:50,90s:0");
    }

    @Test
    void inverse_pauseInTheMiddle_skipsIt() {
        RateSchedule s = RateSchedule.parse("0:10,10:0,20:10");

        assertThat(s.inverse(100)).isCloseTo(10, within(1e-9));
        assertThat(s.inverse(100.0001)).isCloseTo(20.00001, within(1e-9));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no colon| 10 | expected TIME:RATE",
            "bad rate| 0s:fast | rate 'fast'",
            "bad time| soon:10 | time 'soon'",
            "times not increasing| 10s:1,5s:2 | time 5.0 s (expected >= 0 and after the previous point)",
            "negative rate| 0s:-1 | rate -1.0 at 0.0 s",
            "all zero| 0s:0 | every rate is 0",
    })
    void parse_bad_saysWhatAndWhy(String name, String text, String message) {
        assertThatThrownBy(() -> RateSchedule.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }
}
