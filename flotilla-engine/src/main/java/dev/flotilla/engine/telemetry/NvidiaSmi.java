package dev.flotilla.engine.telemetry;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * GPU figures from {@code nvidia-smi --query-gpu=... --format=csv,noheader,nounits}: one process per
 * reading, bounded by a timeout (so wrap it in {@link GpuTelemetry#cached} and never call it on an
 * event loop). {@link #parse(String)} is the pure parser of its output.
 */
public final class NvidiaSmi implements GpuTelemetry {
    /** The fields asked for, in the order {@link #parse(String)} expects them. */
    public static final String QUERY = "index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw";
    /** How long one nvidia-smi run may take; a healthy one answers in well under a second. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final int FIELDS = 7;
    private static final long MIB = 1024L * 1024L;

    private final Path executable;
    private final Duration timeout;

    private NvidiaSmi(Path executable, Duration timeout) {
        this.executable = Objects.requireNonNull(executable, "executable");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected > 0)");
        }
    }

    /** Runs {@code executable} (an nvidia-smi, or anything that answers like one) with at most {@code timeout} per run. */
    public static NvidiaSmi at(Path executable, Duration timeout) {
        return new NvidiaSmi(executable, timeout);
    }

    /** The first executable {@code nvidia-smi} in the directories of a PATH value; empty if there is none. */
    public static Optional<Path> locate(String pathVariable) {
        if (pathVariable == null || pathVariable.isBlank()) {
            return Optional.empty();
        }
        String exe = File.separatorChar == '\\' ? "nvidia-smi.exe" : "nvidia-smi";
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, exe);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            } catch (RuntimeException e) {
                // a malformed PATH entry is skipped, as a shell would
            }
        }
        return Optional.empty();
    }

    /** The command line one reading runs. */
    public List<String> command() {
        return List.of(executable.toString(), "--query-gpu=" + QUERY, "--format=csv,noheader,nounits");
    }

    @Override
    public List<GpuSample> sample() {
        Process process;
        try {
            process = new ProcessBuilder(command()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new GpuTelemetryException("nvidia-smi: cannot run " + executable + ": " + e.getMessage(), e);
        }
        // Read on another thread so that a process that writes and then hangs cannot outlast the timeout.
        CompletableFuture<String> output = new CompletableFuture<>();
        InputStream in = process.getInputStream();
        Thread.ofVirtual().name("nvidia-smi-output").start(() -> {
            try {
                output.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                output.completeExceptionally(e);
            }
        });
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                throw new GpuTelemetryException("nvidia-smi: " + executable + " did not answer within " + timeout);
            }
            String text = output.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (process.exitValue() != 0) {
                throw new GpuTelemetryException("nvidia-smi: " + executable + " exited with " + process.exitValue()
                        + ": " + firstLine(text));
            }
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw new GpuTelemetryException("nvidia-smi: " + e.getMessage(), e);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GpuTelemetryException("nvidia-smi: interrupted while waiting for " + executable, e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new GpuTelemetryException("nvidia-smi: cannot read the output of " + executable + ": " + e, e);
        }
    }

    @Override
    public String description() {
        return "nvidia-smi (" + executable + ")";
    }

    /**
     * Parses the CSV nvidia-smi prints for {@link #QUERY} without header or units, one GPU a line.
     * Bracketed values such as {@code [N/A]} or {@code [Not Supported]} become NaN (unknown bytes for
     * memory); blank lines are skipped.
     *
     * @throws IllegalArgumentException naming the line and the field when a line is not of that shape
     */
    public static List<GpuSample> parse(String output) {
        List<GpuSample> gpus = new ArrayList<>();
        String[] lines = output.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != FIELDS) {
                throw new IllegalArgumentException("line " + (i + 1) + ": '" + line + "' has " + f.length
                        + " fields (expected " + FIELDS + ": " + QUERY + ")");
            }
            String where = "line " + (i + 1) + ": '" + line + "'";
            String indexText = f[0].strip();
            int index;
            try {
                index = Integer.parseInt(indexText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": index '" + indexText + "' is not a number");
            }
            if (index < 0) {
                throw new IllegalArgumentException(where + ": index " + index + " is negative");
            }
            gpus.add(new GpuSample(index, f[1].strip(),
                    number(where, "utilization.gpu", f[2]) / 100.0,
                    mibToBytes(number(where, "memory.used", f[3])),
                    mibToBytes(number(where, "memory.total", f[4])),
                    number(where, "temperature.gpu", f[5]),
                    number(where, "power.draw", f[6])));
        }
        return gpus;
    }

    private static double number(String where, String field, String raw) {
        String value = raw.strip();
        if (value.startsWith("[") && value.endsWith("]")) {
            return Double.NaN; // [N/A], [Not Supported], [Unknown Error]: nvidia-smi has no figure
        }
        try {
            double d = Double.parseDouble(value);
            if (Double.isInfinite(d) || Double.isNaN(d) || d < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + field + " '" + value + "' is not a number >= 0");
        }
    }

    private static long mibToBytes(double mib) {
        return Double.isNaN(mib) ? GpuSample.UNKNOWN_BYTES : Math.round(mib * MIB);
    }

    private static String firstLine(String text) {
        String s = text.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
