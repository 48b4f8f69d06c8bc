package dev.flotilla.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts flotilla child processes (nodes, the gateway) from the same jar and JDK, relays their
 * output with a name prefix, waits for each to print its ready line, and stops them all: the
 * gateway first, so that it can drain the streams the nodes serve, then the nodes; SIGTERM first
 * so they shut down cleanly, SIGKILL for any that hang. Children also watch this process and exit
 * if it dies, so no orphan survives even a {@code kill -9} of the parent. Once {@link #close()} has
 * begun, nothing more is started.
 */
final class ChildProcesses implements Supervisor.Launcher, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcesses.class);
    static final String READY = "FLOTILLA-READY ";
    private static final int TAIL_LINES = 30;
    /** How long nodes get to stop after SIGTERM before SIGKILL. */
    private static final Duration NODE_STOP_TIMEOUT = Duration.ofSeconds(15);

    /**
     * A child that announced it is ready.
     *
     * @param exit completes with the exit code when the process ends (128 + n for signal n)
     * @param tail the child's last lines of output (at most 30), read when asked
     */
    record Child(String name, long pid, String url, CompletableFuture<Integer> exit, Supplier<List<String>> tail) {
    }

    /** A child that ended or hung before it was ready; the message has its last output lines. */
    static final class StartException extends IllegalStateException {
        private final int exitCode;
        private final List<String> tail;

        StartException(String message, int exitCode, List<String> tail) {
            super(message);
            this.exitCode = exitCode;
            this.tail = List.copyOf(tail);
        }

        /** The exit code (128 + n for signal n; a child that was not ready in time was killed: 137). */
        int exitCode() {
            return exitCode;
        }

        List<String> tail() {
            return tail;
        }
    }

    private final PrintStream out;
    private final Duration readyTimeout;
    private final Duration gatewayStopTimeout;
    private final Object lock = new Object();
    /** Every process started and not yet ended, with its role (guarded by lock). */
    private final Map<Process, ChildSpec.Role> live = new LinkedHashMap<>();
    private boolean closing;

    /**
     * @param readyTimeout       how long a child may take to print its ready line
     * @param gatewayStopTimeout how long the gateway gets to drain after SIGTERM before SIGKILL (its
     *                           {@code listen.shutdownGrace} and a margin)
     */
    ChildProcesses(PrintStream out, Duration readyTimeout, Duration gatewayStopTimeout) {
        this.out = out;
        this.readyTimeout = readyTimeout;
        this.gatewayStopTimeout = gatewayStopTimeout;
    }

    /**
     * Starts {@code flotilla <args>} and waits until it prints its ready line; throws
     * {@link StartException} with the child's last output lines if it exits or times out first,
     * or if this is closing.
     */
    @Override
    public Child start(ChildSpec spec) {
        String name = spec.name();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        // an OutOfMemoryError ends the child, and the supervisor starts a fresh one
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(spec.jvmOptions());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Flotilla.class.getName());
        command.addAll(spec.args());
        command.add("--parent-pid");
        command.add(Long.toString(ProcessHandle.current().pid()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(spec.env());
        Process process;
        synchronized (lock) {
            if (closing) {
                throw new StartException(name + ": not started, flotilla up is stopping", -1, List.of());
            }
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new StartException(name + ": cannot start " + command.get(0) + ": " + e.getMessage(), -1, List.of());
            }
            live.put(process, spec.role());
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Deque<String> tail = new ArrayDeque<>();
        Supplier<List<String>> tailCopy = () -> {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        };
        Thread pump = Thread.ofPlatform().daemon().name("out-" + name).start(() -> relay(name, process, ready, tail));
        CompletableFuture<Integer> exit = process.onExit().thenApply(p -> {
            try {
                pump.join(2000); // the last lines, often the reason, are read before the exit is reported
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (lock) {
                live.remove(p);
            }
            ready.completeExceptionally(new StartException(name + " exited with code " + p.exitValue()
                    + " before it was ready; its last output:\n" + String.join("\n", tailCopy.get()), p.exitValue(),
                    tailCopy.get()));
            return p.exitValue();
        });
        try {
            String url = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Child(name, process.pid(), url, exit, tailCopy);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new StartException(name + " was not ready after " + readyTimeout.toSeconds()
                    + " s; its last output:\n" + String.join("\n", tailCopy.get()), 137, tailCopy.get());
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new StartException("interrupted while starting " + name, -1, tailCopy.get());
        }
    }

    private void relay(String name, Process process, CompletableFuture<String> ready, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (line.startsWith(READY)) {
                    String[] parts = line.split(" ");
                    ready.complete(parts[parts.length - 1]);
                    continue;
                }
                out.println("[" + name + "] " + line);
            }
        } catch (IOException e) {
            // the child closed its output: it is exiting, onExit reports it
        }
    }

    /**
     * Stops every child and starts no more: the gateway first (SIGTERM, then up to the gateway stop
     * timeout to drain), then the nodes (SIGTERM, up to 15 s), SIGKILL for any still running.
     */
    @Override
    public void close() {
        List<Process> gateways = new ArrayList<>();
        List<Process> nodes = new ArrayList<>();
        synchronized (lock) {
            closing = true;
            live.forEach((p, role) -> (role == ChildSpec.Role.GATEWAY ? gateways : nodes).add(p));
        }
        stop(gateways, gatewayStopTimeout);
        stop(nodes, NODE_STOP_TIMEOUT);
    }

    private static void stop(List<Process> processes, Duration timeout) {
        for (Process p : processes) {
            // SIGTERM through the handle: Process.destroy() would also close our end of the child's
            // output, and what it says while it stops (the gateway's drain) would be lost
            p.toHandle().destroy();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Process p : processes) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("process {} did not stop within {} s; killing it", p.pid(), timeout.toSeconds());
                    p.toHandle().destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
