package dev.flotilla.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the gateway's YAML file while it runs and hands every new valid version to a consumer
 * (the gateway applies its nodes). An invalid version is logged at WARN, every problem, and
 * nothing is applied; a missing or empty file is treated the same way (it never empties the
 * fleet: write {@code nodes: []} for that). Sections other than {@code nodes} that differ from the
 * running configuration are logged at WARN as needing a restart.
 *
 * <p>It uses a {@link WatchService} on the file's directory rather than polling: on Linux that is
 * inotify, so an edit is seen at once and nothing is read while the file is unchanged; watching the
 * directory, not the file, also sees a file replaced by a rename (how most editors save, and how
 * Kubernetes swaps a mounted ConfigMap). Events are debounced: after the first one it waits until
 * the directory has been quiet for {@code quiet} (editors write twice, or truncate and then write),
 * then reads the file once and goes on only when its bytes differ from the last read. The
 * environment overrides ({@code FLOTILLA_...}) given at start are applied to every version, as at
 * start. One daemon thread; {@link #close()} stops it.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatcher.class);
    /** Most quiet periods to wait for during a burst of events: a file rewritten without pause is read anyway. */
    private static final int MAX_QUIET_ROUNDS = 20;

    private final Path file;
    private final ConfigLoader loader;
    private final Map<String, String> env;
    private final GatewayConfig running;
    private final Consumer<GatewayConfig> onValid;
    private final Duration quiet;
    private final WatchService watch;
    private final AtomicLong reads = new AtomicLong();
    private volatile Outcome last;
    private byte[] lastBytes;

    /** What the last read of the file gave. */
    public sealed interface Outcome {
        /** A valid version; its nodes were handed on. */
        record Applied(GatewayConfig config) implements Outcome {
        }

        /** An invalid version: nothing applied. */
        record Invalid(List<String> problems) implements Outcome {
        }

        /** The file could not be read, or was empty: nothing applied. */
        record Unreadable(String reason) implements Outcome {
        }
    }

    private ConfigWatcher(Path file, ConfigLoader loader, Map<String, String> env, GatewayConfig running,
                          Consumer<GatewayConfig> onValid, Duration quiet, WatchService watch) {
        this.file = file;
        this.loader = loader;
        this.env = Map.copyOf(env);
        this.running = running;
        this.onValid = onValid;
        this.quiet = quiet;
        this.watch = watch;
    }

    /**
     * Starts watching. The file is read once at once (a change made since the gateway loaded it is
     * not missed; an unchanged file changes nothing), then at every change.
     *
     * @param running the configuration the gateway runs with (for the sections that need a restart)
     * @param onValid gets every new valid version, on the watcher's thread
     * @param quiet   how long the directory must be quiet after an event before the file is read
     * @throws UncheckedIOException when the directory cannot be watched
     */
    public static ConfigWatcher start(Path file, ConfigLoader loader, Map<String, String> env, GatewayConfig running,
                                      Consumer<GatewayConfig> onValid, Duration quiet) {
        Path absolute = file.toAbsolutePath();
        Path dir = Objects.requireNonNull(absolute.getParent(), "the config file's directory");
        WatchService watch;
        try {
            watch = absolute.getFileSystem().newWatchService();
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot watch " + dir + " for changes of " + file.getFileName() + ": "
                    + e.getMessage(), e);
        }
        ConfigWatcher w = new ConfigWatcher(absolute, loader, env, running, onValid, quiet, watch);
        w.check();
        Thread.ofPlatform().daemon().name("flotilla-config-watch").start(w::run);
        LOG.info("watching {} for node changes (other sections need a restart)", absolute);
        return w;
    }

    /** The watched file. */
    public Path file() {
        return file;
    }

    /** How many times the file has been read and judged (a read whose bytes did not change is not counted). */
    public long reads() {
        return reads.get();
    }

    /** What the last counted read gave. */
    public Outcome last() {
        return last;
    }

    /** Stops watching; returns at once (the thread ends by itself). */
    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service of {}: {}", file, e.toString());
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                LOG.debug("{}: a change in its directory; reading it once the directory has been quiet for {} ms", file,
                        quiet.toMillis());
                boolean valid = settle(key);
                // wait for the burst to end: the file is read once, when the editor is done
                for (int i = 0; i < MAX_QUIET_ROUNDS; i++) {
                    WatchKey more = watch.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
                    if (more == null) {
                        break;
                    }
                    valid &= settle(more);
                }
                check();
                if (!valid) {
                    LOG.warn("{}: its directory is gone; no longer watching it (restart the gateway to watch again)", file);
                    return;
                }
            }
        } catch (ClosedWatchServiceException e) {
            LOG.debug("stopped watching {}", file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: watching stopped after an unexpected error: {}", file, e.toString(), e);
        }
    }

    /** Takes the key's events (any change in the directory leads to a read: the bytes decide) and re-arms it. */
    private static boolean settle(WatchKey key) {
        key.pollEvents();
        return key.reset();
    }

    /** Reads the file; when its bytes changed, judges and applies it. Runs on one thread at a time. */
    private synchronized void check() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            unreadable(null, "is missing (deleted, or being replaced)");
            return;
        } catch (IOException e) {
            unreadable(null, "cannot be read (" + e.getMessage() + ")");
            return;
        }
        if (lastBytes != null && Arrays.equals(bytes, lastBytes)) {
            return;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            unreadable(bytes, "is empty (write \"nodes: []\" to remove every node)");
            return;
        }
        lastBytes = bytes;
        reads.incrementAndGet();
        GatewayConfig config;
        try {
            config = loader.parse(text, env);
        } catch (ConfigException e) {
            LOG.warn("{} is invalid ({} problem(s)); the gateway keeps running with its current fleet:", file,
                    e.problems().size());
            for (String p : e.problems()) {
                LOG.warn("{}: {}", file.getFileName(), p);
            }
            last = new Outcome.Invalid(e.problems());
            return;
        }
        for (String section : restartNeeded(running, config)) {
            LOG.warn("{}: {} differs from the running configuration; restart the gateway to apply it "
                    + "(only nodes are applied while it runs)", file.getFileName(), section);
        }
        try {
            onValid.accept(config);
        } finally {
            last = new Outcome.Applied(config);
        }
    }

    private void unreadable(byte[] bytes, String why) {
        if (bytes != null) {
            lastBytes = bytes;
        } else {
            // whatever comes back next is read again, even the same bytes as before
            lastBytes = null;
        }
        reads.incrementAndGet();
        LOG.warn("{} {}; the gateway keeps running with its current fleet", file, why);
        last = new Outcome.Unreadable(why);
    }

    /** The sections other than {@code nodes} in which the new version differs from the running one. */
    static List<String> restartNeeded(GatewayConfig running, GatewayConfig next) {
        List<String> out = new ArrayList<>();
        if (!running.listen().equals(next.listen())) {
            out.add("listen");
        }
        if (!running.health().equals(next.health())) {
            out.add("health");
        }
        if (!running.routing().equals(next.routing())) {
            out.add("routing");
        }
        if (!running.dispatch().equals(next.dispatch())) {
            out.add("dispatch");
        }
        if (!running.telemetry().equals(next.telemetry())) {
            out.add("telemetry");
        }
        if (!running.scheduling().equals(next.scheduling())) {
            out.add("scheduling");
        }
        return out;
    }
}
