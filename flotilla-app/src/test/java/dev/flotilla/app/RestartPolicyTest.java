package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.app.RestartPolicy.Decision;
import dev.flotilla.app.RestartPolicy.GiveUp;
import dev.flotilla.app.RestartPolicy.Restart;
import dev.flotilla.app.RestartPolicy.Run;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The restart policy in virtual time: runs are written as (seconds up, seconds down before the next start). */
class RestartPolicyTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    /** 0.5 s doubling to 30 s, stable after 30 s, at most 5 restarts within 60 s. */
    private static final RestartPolicy POLICY = RestartPolicy.of(5, Duration.ofSeconds(60));

    /**
     * Runs back to back from T0: each pair is how long the child ran, then how long it stayed
     * down before the next start (the last pair's pause is unused).
     */
    private static List<Run> runs(double... upThenDown) {
        List<Run> runs = new ArrayList<>();
        Instant t = T0;
        for (int i = 0; i < upThenDown.length; i += 2) {
            Instant exited = t.plusMillis((long) (upThenDown[i] * 1000));
            runs.add(new Run(t, exited));
            t = exited.plusMillis((long) (upThenDown[i + 1] * 1000));
        }
        return runs;
    }

    private static Arguments named(String name, List<Run> runs, Decision expected) {
        return Arguments.of(Named.of(name, runs), expected);
    }

    static Stream<Arguments> decisions() {
        return Stream.of(
                named("first exit after a long run", runs(3600, 0), new Restart(1, Duration.ofMillis(500))),
                named("first exit, quick", runs(2, 0), new Restart(1, Duration.ofMillis(500))),
                named("second quick exit in a row doubles", runs(2, 0.5, 1, 0), new Restart(2, Duration.ofSeconds(1))),
                named("third quick exit in a row", runs(2, 0.5, 1, 1, 1, 0), new Restart(3, Duration.ofSeconds(2))),
                named("five quick exits in a row, at the limit", runs(1, 0.5, 1, 1, 1, 2, 1, 4, 1, 0),
                        new Restart(5, Duration.ofSeconds(8))),
                named("six exits within 60 s give up", runs(1, 0.5, 1, 1, 1, 2, 1, 4, 1, 8, 1, 0),
                        new GiveUp(6, Duration.ofSeconds(60))),
                named("a stable run resets the delay", runs(1, 0.5, 1, 1, 40, 0), new Restart(1, Duration.ofMillis(500))),
                named("one quick exit after a stable run doubles", runs(40, 0.5, 1, 0),
                        new Restart(2, Duration.ofSeconds(1))),
                named("two quick exits after a stable run", runs(40, 0.5, 1, 0.5, 1, 0),
                        new Restart(3, Duration.ofSeconds(2))),
                named("exits older than the window do not count", runs(1, 0.5, 1, 1, 1, 2, 1, 4, 1, 60, 29, 0.5, 29, 0),
                        new Restart(7, Duration.ofSeconds(30))),
                named("the delay stops doubling at 30 s", runs(29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 0),
                        new Restart(8, Duration.ofSeconds(30))),
                named("a run of exactly stableAfter counts as stable", runs(1, 0.5, 30, 0),
                        new Restart(1, Duration.ofMillis(500))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decide_runHistory_givesDelayOrGivesUp(List<Run> runs, Decision expected) {
        assertThat(POLICY.decide(runs)).isEqualTo(expected);
    }

    @Test
    void decide_maxRestartsZero_givesUpAtTheFirstExit() {
        assertThat(RestartPolicy.of(0, Duration.ofSeconds(60)).decide(runs(3600, 0)))
                .isEqualTo(new GiveUp(1, Duration.ofSeconds(60)));
    }

    @Test
    void decide_shortWindow_sameExitsSpreadOutKeepRestarting() {
        RestartPolicy tight = RestartPolicy.of(2, Duration.ofSeconds(5));
        assertThat(tight.decide(runs(1, 0.5, 1, 1, 1, 0))).isEqualTo(new GiveUp(3, Duration.ofSeconds(5)));
        assertThat(tight.decide(runs(1, 3, 1, 3, 1, 0))).isEqualTo(new Restart(3, Duration.ofSeconds(2)));
    }

    @Test
    void decide_historyLongerThanNeeded_sameDecisionAsTheKeptTail() {
        List<Run> many = runs(29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29,
                1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 1, 29, 0);
        List<Run> kept = many.subList(many.size() - POLICY.historyNeeded(), many.size());
        assertThat(POLICY.decide(kept)).isEqualTo(POLICY.decide(many)).isEqualTo(new Restart(21, Duration.ofSeconds(30)));
    }

    @Test
    void decide_noRuns_isRefused() {
        assertThatThrownBy(() -> POLICY.decide(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("runs: empty");
    }

    static Stream<Arguments> badSettings() {
        Duration s = Duration.ofSeconds(1);
        return Stream.of(
                Arguments.of(Named.of("zero initial delay", (Runnable) () -> new RestartPolicy(Duration.ZERO, s, s, 1, s)),
                        "initialDelay: PT0S"),
                Arguments.of(Named.of("cap below initial", (Runnable) () -> new RestartPolicy(s, Duration.ofMillis(10), s, 1, s)),
                        "maxDelay: PT0.01S"),
                Arguments.of(Named.of("negative restarts", (Runnable) () -> RestartPolicy.of(-1, s)), "maxRestarts: -1"),
                Arguments.of(Named.of("zero window", (Runnable) () -> RestartPolicy.of(3, Duration.ZERO)), "window: PT0S"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void new_badSetting_isRefusedNamingIt(Runnable create, String message) {
        assertThatThrownBy(create::run).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }
}
