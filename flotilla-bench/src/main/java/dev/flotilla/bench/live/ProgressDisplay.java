package dev.flotilla.bench.live;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a run's {@link Progress} on stderr: a progress bar (the progressbar library) redrawn in
 * place when stderr is a terminal, otherwise a plain line every few seconds, which reads well in
 * logs and CI output. The bar counts requests when the run is bounded by a count, else seconds.
 */
public final class ProgressDisplay implements AutoCloseable {
    private final ScheduledExecutorService timer;
    private final ProgressBar bar;
    private final Runnable update;

    private ProgressDisplay(ScheduledExecutorService timer, ProgressBar bar, Runnable update) {
        this.timer = timer;
        this.bar = bar;
        this.update = update;
    }

    /**
     * Starts showing {@code progress}.
     *
     * @param terminal draw a bar (true) or print plain lines every {@code lineEverySeconds}
     */
    public static ProgressDisplay start(Supplier<Progress> progress, PrintStream err, boolean terminal,
                                        int lineEverySeconds) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flotilla-bench-progress");
            t.setDaemon(true);
            return t;
        });
        if (!terminal) {
            timer.scheduleAtFixedRate(() -> err.println(line(progress.get())), lineEverySeconds, lineEverySeconds,
                    TimeUnit.SECONDS);
            return new ProgressDisplay(timer, null, () -> { });
        }
        // the run's bounds are known once it has started: the bar learns its length from the updates
        ProgressBar bar = new ProgressBarBuilder().setTaskName("bench")
                .setInitialMax(-1)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                // a width of our own: asked for the width, the library opens a JLine terminal, which replaces
                // the JVM's SIGINT handler, and Ctrl-C would then kill the process before the report is printed
                .setConsumer(new ConsoleProgressBarConsumer(err, width(System.getenv("COLUMNS"))))
                .hideEta()
                .build();
        Runnable update = () -> {
            Progress p = progress.get();
            if (p.plannedRequests() > 0) {
                bar.maxHint(p.plannedRequests());
                bar.stepTo(p.completed() + p.failed());
            } else if (!Double.isNaN(p.plannedSeconds())) {
                bar.maxHint((long) Math.ceil(p.plannedSeconds()));
                bar.stepTo(Math.min((long) Math.ceil(p.plannedSeconds()), (long) p.elapsedSeconds()));
            }
            bar.setExtraMessage(String.format(Locale.ROOT, " %d sent, %d in flight, %d failed", p.sent(), p.inFlight(),
                    p.failed()));
        };
        timer.scheduleAtFixedRate(update, 0, 200, TimeUnit.MILLISECONDS);
        return new ProgressDisplay(timer, bar, update);
    }

    /** The bar's width: the terminal's COLUMNS when the shell exports it, else 80. */
    static int width(String columns) {
        try {
            return columns == null ? 80 : Math.max(40, Integer.parseInt(columns.strip()) - 1);
        } catch (NumberFormatException e) {
            return 80;
        }
    }

    /** The plain progress line. */
    static String line(Progress p) {
        String of = p.plannedRequests() > 0 ? "/" + p.plannedRequests() : "";
        String time = Double.isNaN(p.plannedSeconds()) ? "" : String.format(Locale.ROOT, "/%.0f", p.plannedSeconds());
        return String.format(Locale.ROOT, "bench: %.1f%s s, %d%s sent, %d completed, %d failed, %d in flight",
                p.elapsedSeconds(), time, p.sent(), of, p.completed(), p.failed(), p.inFlight());
    }

    /**
     * Whether this process's stderr is a terminal (Linux: file descriptor 2 is a tty or pty); false
     * where that cannot be told.
     */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (bar != null) {
            update.run(); // the final state, then the bar's last line
            bar.close();
        }
    }
}
