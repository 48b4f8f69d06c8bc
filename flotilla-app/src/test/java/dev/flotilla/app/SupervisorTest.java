package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The supervisor with fake processes, a clock the test moves and a delayer whose due tasks the
 * test runs: restarts on the same port after the policy's delay, start failures that count as
 * exits, giving up, and nothing restarted once closing.
 */
class SupervisorTest {
    private static final ChildSpec NODE = new ChildSpec("n1", ChildSpec.Role.NODE, "simulated T4", List.of("-Xmx256m"),
            List.of("node", "--name", "n1", "--port", "0", "--profile", "T4"), Map.of());
    private static final ChildSpec GATEWAY = new ChildSpec("gateway", ChildSpec.Role.GATEWAY, "gateway", List.of(),
            List.of("gateway", "--config", "g.yaml"), Map.of());

    /** A clock the test sets. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private record Pending(Duration delay, Runnable task) {
    }

    /** Launches what the test queued: a ready child or a start failure. */
    private final class FakeLauncher implements Supervisor.Launcher {
        final List<ChildSpec> started = new ArrayList<>();
        final Deque<Object> outcomes = new ArrayDeque<>();

        @Override
        public ChildProcesses.Child start(ChildSpec spec) {
            started.add(spec);
            Object next = outcomes.removeFirst();
            clock.advance(Duration.ofSeconds(1)); // a start takes a second
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (ChildProcesses.Child) next;
        }
    }

    private final MutableClock clock = new MutableClock();
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final FakeLauncher launcher = new FakeLauncher();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private Supervisor supervisor(RestartPolicy policy) {
        return new Supervisor(launcher, policy, clock, (delay, task) -> pending.add(new Pending(delay, task)),
                Runnable::run, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private static ChildProcesses.Child child(String name, long pid, String url) {
        return new ChildProcesses.Child(name, pid, url, new CompletableFuture<>(), () -> List.of("last line of " + pid));
    }

    private static ChildProcesses.StartException startFailure(int code, String lastLine) {
        return new ChildProcesses.StartException("n1 exited with code " + code + " before it was ready", code,
                List.of("starting", lastLine));
    }

    /** Moves the clock by the first due task's delay and runs it. */
    private void runDue() {
        Pending p = pending.removeFirst();
        clock.advance(p.delay());
        p.task().run();
    }

    private String console() {
        return console.toString(StandardCharsets.UTF_8);
    }

    @Test
    void exit_restartedAfterTheDelayOnTheSamePortAndCounted() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("n1", 100, "http://127.0.0.1:4711");
        Supervisor.Supervised n1 = supervisor.supervise(NODE, first, clock.instant());
        assertThat(n1.status()).isEqualTo(new Supervisor.ChildStatus("n1", "node", "running", 100L,
                "http://127.0.0.1:4711", 0, null));

        clock.advance(Duration.ofMinutes(5));
        first.exit().complete(137);
        assertThat(console()).contains("[n1] exited with code 137 (signal 9, SIGKILL); restart 1 in 500 ms");
        assertThat(n1.status().state()).isEqualTo("restarting");
        assertThat(n1.status().pid()).isNull();
        assertThat(pending).extracting(Pending::delay).containsExactly(Duration.ofMillis(500));
        assertThat(launcher.started).as("nothing before the delay").isEmpty();

        ChildProcesses.Child second = child("n1", 101, "http://127.0.0.1:4711");
        launcher.outcomes.add(second);
        runDue();
        assertThat(launcher.started).hasSize(1);
        assertThat(launcher.started.getFirst().args()).containsSequence("--port", "4711").doesNotContain("0");
        assertThat(n1.status()).isEqualTo(new Supervisor.ChildStatus("n1", "node", "running", 101L,
                "http://127.0.0.1:4711", 1, "code 137 (signal 9, SIGKILL)"));
        assertThat(console()).contains("[n1] restarted: http://127.0.0.1:4711, pid 101 (restart 1)");
        assertThat(n1.givenUp()).isNotDone();
    }

    @Test
    void gatewayExit_restartedWithItsPortInTheEnvironment() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("gateway", 200, "http://127.0.0.1:38080");
        supervisor.supervise(GATEWAY, first, clock.instant());
        first.exit().complete(1);
        launcher.outcomes.add(child("gateway", 201, "http://127.0.0.1:38080"));
        runDue();
        assertThat(launcher.started.getFirst().env()).containsEntry("FLOTILLA_LISTEN_PORT", "38080");
        assertThat(launcher.started.getFirst().args()).containsExactly("gateway", "--config", "g.yaml");
    }

    @Test
    void quickExitsInARow_delayDoublesAndStartFailuresCountAsExits() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("n1", 100, "http://127.0.0.1:4711");
        Supervisor.Supervised n1 = supervisor.supervise(NODE, first, clock.instant());
        first.exit().complete(1);
        launcher.outcomes.add(startFailure(2, "Address already in use"));
        runDue();
        assertThat(console()).contains("[n1] exited with code 2; restart 2 in 1 s");
        launcher.outcomes.add(startFailure(2, "Address already in use"));
        runDue();
        assertThat(console()).contains("[n1] exited with code 2; restart 3 in 2 s");
        assertThat(pending).extracting(Pending::delay).containsExactly(Duration.ofSeconds(2));
        assertThat(n1.status().restarts()).isEqualTo(2);
        assertThat(n1.status().state()).isEqualTo("restarting");
    }

    @Test
    void keepsCrashing_givenUpWithTheCauseAndNotRestartedAgain() {
        Supervisor supervisor = supervisor(RestartPolicy.of(2, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("n1", 100, "http://127.0.0.1:4711");
        Supervisor.Supervised n1 = supervisor.supervise(NODE, first, clock.instant());
        first.exit().complete(137);
        launcher.outcomes.add(startFailure(2, "flotilla node: Cannot listen on 127.0.0.1:4711: address already in use"));
        runDue();
        launcher.outcomes.add(startFailure(2, "flotilla node: Cannot listen on 127.0.0.1:4711: address already in use"));
        runDue();

        assertThat(pending).as("no restart after giving up").isEmpty();
        assertThat(n1.givenUp()).isDone();
        assertThat(n1.status()).isEqualTo(new Supervisor.ChildStatus("n1", "node", "given_up", null,
                "http://127.0.0.1:4711", 2, "code 2"));
        assertThat(console()).contains("[n1] GIVEN UP: 3 exits within 1 min, the last with code 2. It stays down until "
                + "'flotilla up' is started again. Its last output: flotilla node: Cannot listen on 127.0.0.1:4711: "
                + "address already in use");
    }

    @Test
    void closed_exitIsNotRestarted() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("n1", 100, "http://127.0.0.1:4711");
        Supervisor.Supervised n1 = supervisor.supervise(NODE, first, clock.instant());
        supervisor.close();
        first.exit().complete(143);
        assertThat(pending).isEmpty();
        assertThat(n1.status().state()).isEqualTo("stopped");
        assertThat(console()).doesNotContain("restart");
    }

    @Test
    void closedWhileARestartWaits_theRestartDoesNothing() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        ChildProcesses.Child first = child("n1", 100, "http://127.0.0.1:4711");
        Supervisor.Supervised n1 = supervisor.supervise(NODE, first, clock.instant());
        first.exit().complete(137);
        supervisor.close();
        runDue();
        assertThat(launcher.started).isEmpty();
        assertThat(n1.status().state()).isEqualTo("stopped");
        assertThat(n1.status().restarts()).isZero();
    }

    @Test
    void status_listsEveryChildInStartOrder() {
        Supervisor supervisor = supervisor(RestartPolicy.of(5, Duration.ofSeconds(60)));
        supervisor.supervise(NODE, child("n1", 100, "http://127.0.0.1:4711"), clock.instant());
        supervisor.supervise(GATEWAY, child("gateway", 200, "http://127.0.0.1:38080"), clock.instant());
        assertThat(supervisor.status()).extracting(Supervisor.ChildStatus::name, Supervisor.ChildStatus::role)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("n1", "node"),
                        org.assertj.core.groups.Tuple.tuple("gateway", "gateway"));
    }

    static Stream<Arguments> exits() {
        return Stream.of(
                Arguments.of(Named.of("normal exit", 0), "code 0"),
                Arguments.of(Named.of("error exit", 2), "code 2"),
                Arguments.of(Named.of("kill -9", 137), "code 137 (signal 9, SIGKILL)"),
                Arguments.of(Named.of("SIGTERM", 143), "code 143 (signal 15, SIGTERM)"),
                Arguments.of(Named.of("segfault", 139), "code 139 (signal 11, SIGSEGV)"),
                Arguments.of(Named.of("unnamed signal", 138), "code 138 (signal 10)"),
                Arguments.of(Named.of("never started", -1), "no exit code (it could not be started)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exits")
    void describeExit_code_namesCodeAndSignal(int code, String expected) {
        assertThat(Supervisor.describeExit(code)).isEqualTo(expected);
    }
}
