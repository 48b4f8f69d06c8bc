package dev.flotilla.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts flotilla child processes (nodes, the gateway) from the same jar and JDK, relays their
 * output with a name prefix, waits for each to print its ready line, and stops them all: SIGTERM
 * first so they shut down cleanly, then SIGKILL for any that hang. Children also watch this
 * process and exit if it dies, so no orphan survives even a {@code kill -9} of the parent.
 */
final class ChildProcesses implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcesses.class);
    static final String READY = "FLOTILLA-READY ";
    private static final int TAIL_LINES = 30;

    /** A running child: its name, process and the URL it announced. */
    record Child(String name, Process process, String url) {
        long pid() {
            return process.pid();
        }
    }

    private final PrintStream out;
    private final List<Child> children = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closing;

    ChildProcesses(PrintStream out) {
        this.out = out;
    }

    /**
     * Starts {@code flotilla <args>} with the given JVM options and waits until it prints its ready
     * line; fails with the child's last output lines if it exits or times out first.
     */
    Child start(String name, List<String> jvmOptions, List<String> args, Duration readyTimeout) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Flotilla.class.getName());
        command.addAll(args);
        command.add("--parent-pid");
        command.add(Long.toString(ProcessHandle.current().pid()));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> ready = new CompletableFuture<>();
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = Thread.ofPlatform().daemon().name("out-" + name).start(() -> relay(name, process, ready, tail));
        process.onExit().thenRun(() -> {
            try {
                pump.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited with code "
                    + process.exitValue() + " before it was ready; its last output:\n" + String.join("\n", tail)));
            if (!closing) {
                out.printf("[%s] exited with code %d%n", name, process.exitValue());
            }
        });
        try {
            String url = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            Child child = new Child(name, process, url);
            children.add(child);
            return child;
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " was not ready after " + readyTimeout.toSeconds()
                    + " s; its last output:\n" + String.join("\n", tail), e);
        } catch (ExecutionException e) {
            throw (RuntimeException) e.getCause();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting " + name, e);
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

    List<Child> children() {
        synchronized (children) {
            return List.copyOf(children);
        }
    }

    boolean closing() {
        return closing;
    }

    /** Stops every child: SIGTERM, up to 15 s for all to exit, then SIGKILL. */
    @Override
    public void close() {
        closing = true;
        List<Child> all = children();
        for (Child c : all.reversed()) {
            c.process().destroy();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (Child c : all) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!c.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                    LOG.warn("{} did not stop within 15 s; killing it", c.name());
                    c.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process().destroyForcibly();
            }
        }
    }
}
