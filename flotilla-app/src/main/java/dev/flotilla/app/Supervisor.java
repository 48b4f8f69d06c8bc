package dev.flotilla.app;

import java.io.PrintStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * Keeps the children of {@code flotilla up} running: a child that exits (crash, {@code kill -9},
 * out of memory) is started again on the port it had, so the gateway's config (and the clients'
 * URL) stays valid, after the {@link RestartPolicy}'s delay; a port still taken, or any other start
 * failure, is one more exit and is retried the same way. A child that keeps exiting is left down
 * and reported on the console. Each restart is printed (which child, exit code or signal, attempt,
 * next delay) and counted in {@link #status()}. After {@link #close()} nothing is restarted.
 */
final class Supervisor implements AutoCloseable {

    /** Starts a child and returns once it is ready; throws when it ends or hangs first. */
    interface Launcher {
        ChildProcesses.Child start(ChildSpec spec);
    }

    /** Runs a task after a delay (a scheduler in production, a list of due tasks in tests). */
    interface Delayer {
        void after(Duration delay, Runnable task);
    }

    /** Where a supervised child is. */
    enum State {
        RUNNING, RESTARTING, GIVEN_UP, STOPPED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What {@code GET /status} shows of one child.
     *
     * @param pid      the running process, or null when there is none
     * @param restarts restarts attempted since {@code up} started it (each start after an exit)
     * @param lastExit how its last process ended ("code 1", "code 137 (signal 9, SIGKILL)"), or null
     */
    record ChildStatus(String name, String role, String state, Long pid, String url, int restarts, String lastExit) {
    }

    private final Launcher launcher;
    private final RestartPolicy policy;
    private final Clock clock;
    private final Delayer delayer;
    private final Executor launches;
    private final PrintStream out;
    private final List<Supervised> children = new CopyOnWriteArrayList<>();
    private volatile boolean closing;

    /**
     * @param launches runs the (blocking) restarts, so that a slow start holds up no other child
     */
    Supervisor(Launcher launcher, RestartPolicy policy, Clock clock, Delayer delayer, Executor launches, PrintStream out) {
        this.launcher = launcher;
        this.policy = policy;
        this.clock = clock;
        this.delayer = delayer;
        this.launches = launches;
        this.out = out;
    }

    /**
     * Supervises a child that {@code up} has started (at {@code startedAt}) and found ready: from
     * now on its exits are restarts, on the port of its URL.
     */
    Supervised supervise(ChildSpec spec, ChildProcesses.Child started, Instant startedAt) {
        Supervised s = new Supervised(spec.onPort(URI.create(started.url()).getPort()), started);
        children.add(s);
        s.watch(started, startedAt);
        return s;
    }

    /** Every supervised child, in the order they were started. */
    List<ChildStatus> status() {
        List<ChildStatus> all = new ArrayList<>();
        for (Supervised s : children) {
            all.add(s.status());
        }
        return all;
    }

    /** Restarts nothing more: {@code up} is stopping; exits from now on are expected. */
    @Override
    public void close() {
        closing = true;
        for (Supervised s : children) {
            s.stopped();
        }
    }

    /** One child under supervision. */
    final class Supervised {
        private final ChildSpec spec;
        private final Deque<RestartPolicy.Run> runs = new ArrayDeque<>();
        private final CompletableFuture<Void> givenUp = new CompletableFuture<>();
        private State state = State.RUNNING;
        private ChildProcesses.Child current;
        private int restarts;
        private String lastExit;

        private Supervised(ChildSpec spec, ChildProcesses.Child first) {
            this.spec = spec;
            this.current = first;
        }

        String name() {
            return spec.name();
        }

        /** The spec restarts use (the port pinned). */
        ChildSpec spec() {
            return spec;
        }

        /** Completes when the child is left down for good. */
        CompletableFuture<Void> givenUp() {
            return givenUp;
        }

        synchronized ChildStatus status() {
            Long pid = state == State.RUNNING && current != null ? current.pid() : null;
            String url = current != null ? current.url() : null;
            return new ChildStatus(spec.name(), spec.role().label(), state.label(), pid, url, restarts, lastExit);
        }

        private void watch(ChildProcesses.Child child, Instant startedAt) {
            child.exit().thenAccept(code -> exited(startedAt, code, child.tail().get()));
        }

        private synchronized void stopped() {
            if (state != State.GIVEN_UP) {
                state = State.STOPPED;
            }
        }

        private void exited(Instant startedAt, int code, List<String> tail) {
            RestartPolicy.Decision decision;
            synchronized (this) {
                if (closing) {
                    state = State.STOPPED;
                    return;
                }
                runs.addLast(new RestartPolicy.Run(startedAt, clock.instant()));
                while (runs.size() > policy.historyNeeded()) {
                    runs.removeFirst();
                }
                lastExit = describeExit(code);
                decision = policy.decide(List.copyOf(runs));
                state = decision instanceof RestartPolicy.Restart ? State.RESTARTING : State.GIVEN_UP;
            }
            switch (decision) {
                case RestartPolicy.Restart r -> {
                    out.printf("[%s] exited with %s; restart %d in %s%n", spec.name(), lastExit, r.attempt(),
                            human(r.delay()));
                    delayer.after(r.delay(), () -> launches.execute(this::restart));
                }
                case RestartPolicy.GiveUp g -> {
                    String last = tail.isEmpty() ? "" : " Its last output: " + tail.getLast();
                    out.printf("[%s] GIVEN UP: %d exits within %s, the last with %s. It stays down until "
                                    + "'flotilla up' is started again.%s%n",
                            spec.name(), g.exits(), human(g.window()), lastExit, last);
                    givenUp.complete(null);
                }
            }
        }

        private void restart() {
            Instant startedAt;
            synchronized (this) {
                if (closing) {
                    state = State.STOPPED;
                    return;
                }
                restarts++;
                startedAt = clock.instant();
            }
            try {
                ChildProcesses.Child child = launcher.start(spec);
                synchronized (this) {
                    current = child;
                    if (!closing) {
                        state = State.RUNNING;
                    }
                }
                out.printf("[%s] restarted: %s, pid %d (restart %d)%n", spec.name(), child.url(), child.pid(), restarts);
                watch(child, startedAt);
            } catch (ChildProcesses.StartException e) {
                exited(startedAt, e.exitCode(), e.tail());
            } catch (RuntimeException e) {
                exited(startedAt, -1, List.of(String.valueOf(e.getMessage())));
            }
        }
    }

    /** "code 1", or for a child ended by a signal "code 137 (signal 9, SIGKILL)". */
    static String describeExit(int code) {
        if (code < 0) {
            return "no exit code (it could not be started)";
        }
        if (code > 128 && code <= 128 + 64) {
            int signal = code - 128;
            String name = switch (signal) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 3 -> "SIGQUIT";
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> null;
            };
            return "code " + code + " (signal " + signal + (name == null ? "" : ", " + name) + ")";
        }
        return "code " + code;
    }

    /** 500 ms, 2 s, 1.5 s, 1 m. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
