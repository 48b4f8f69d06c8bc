package dev.flotilla.app;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Process lifecycle of the long-running commands: ready line, clean shutdown on signals, parent watch. */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    private Lifecycle() {
    }

    /**
     * Says that the server listens: the line a supervising {@code flotilla up} waits for when there
     * is a parent, else a sentence for the person who started it.
     */
    static void announceReady(Long parentPid, String role, String name, String url) {
        System.out.println(parentPid != null ? ChildProcesses.READY + role + " " + name + " " + url
                : "flotilla " + role + " " + name + " is listening on " + url + " (Ctrl-C stops it)");
        System.out.flush();
    }

    /**
     * Exits (running shutdown hooks) when the given parent process ends, so children of a
     * {@code flotilla up} that was killed outright do not linger.
     */
    static void exitWithParent(Long parentPid) {
        if (parentPid == null) {
            return;
        }
        ignoreTerminalInterrupt();
        ProcessHandle.of(parentPid).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    LOG.info("parent process {} ended; shutting down", parentPid);
                    System.exit(0);
                }),
                () -> {
                    LOG.info("parent process {} is gone; shutting down", parentPid);
                    System.exit(0);
                });
    }

    /**
     * A child of {@code flotilla up} ignores SIGINT. Ctrl-C in a terminal signals the whole process
     * group, children included; {@code up} then stops them itself with SIGTERM, in order: the gateway
     * first, which drains the streams the nodes are still serving, then the nodes. A child that
     * stopped on the SIGINT would cut those streams. Only {@code sun.misc.Signal} (in
     * {@code jdk.unsupported}, kept for this use) can ignore a signal from Java; the compiler warns
     * about it.
     */
    private static void ignoreTerminalInterrupt() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            LOG.debug("SIGINT cannot be ignored here: {}", e.getMessage());
        }
    }

    /** Closes the resources, in order, on SIGINT/SIGTERM or exit, and blocks until then. */
    static void runUntilShutdown(AutoCloseable... resources) {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    LOG.warn("while stopping: {}", e.toString());
                }
            }
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
