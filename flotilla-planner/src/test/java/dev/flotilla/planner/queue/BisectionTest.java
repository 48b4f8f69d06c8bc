package dev.flotilla.planner.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.planner.queue.Bisection.Position;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BisectionTest {

    static Stream<Arguments> cases() {
        DoubleUnaryOperator square = x -> x * x;
        DoubleUnaryOperator flat = x -> 5.0;
        DoubleUnaryOperator falling = x -> 10 - x;
        return Stream.of(
                Arguments.of(Named.of("increasing, crossing inside", square), 4.0, Position.WITHIN, 2.0),
                Arguments.of(Named.of("increasing, met everywhere", square), 200.0, Position.ABOVE, 10.0),
                Arguments.of(Named.of("increasing, met nowhere", square), 0.5, Position.BELOW, 1.0),
                Arguments.of(Named.of("increasing, exactly at the upper end", square), 100.0, Position.WITHIN, 10.0),
                Arguments.of(Named.of("flat, met", flat), 6.0, Position.ABOVE, 10.0),
                Arguments.of(Named.of("flat, not met", flat), 4.0, Position.BELOW, 1.0),
                Arguments.of(Named.of("decreasing, met at the upper end", falling), 2.0, Position.ABOVE, 10.0),
                Arguments.of(Named.of("decreasing, not met at the upper end", falling), -1.0, Position.BELOW, 1.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void search_table(DoubleUnaryOperator f, double target, Position position, double x) {
        Bisection.Result r = Bisection.search(1, 10, target, 0, f);

        assertThat(r.position()).isEqualTo(position);
        assertThat(r.x()).isCloseTo(x, within(1e-12));
    }

    @ParameterizedTest(name = "tolerance {0}")
    @MethodSource("tolerances")
    void search_tolerance_stopsWithinIt(double tolerance, double maxError) {
        int[] calls = {0};
        Bisection.Result r = Bisection.search(0, 1, 0.3, tolerance, x -> {
            calls[0]++;
            return x;
        });

        assertThat(r.x()).isCloseTo(0.3, within(maxError));
        assertThat(calls[0]).isLessThanOrEqualTo(Bisection.MAX_ITERATIONS + 2);
    }

    static Stream<Arguments> tolerances() {
        return Stream.of(Arguments.of(1e-6, 0.3e-6), Arguments.of(0.0, 1e-15));
    }
}
