package dev.flotilla.engine.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NvidiaSmiTest {
    private static final long MIB = 1024L * 1024L;

    static Stream<Arguments> recorded() {
        return Stream.of(
                Arguments.of(Named.of("one H100", Recorded.text("nvidia-smi-h100-1gpu.csv")), List.of(
                        new GpuSample(0, "NVIDIA H100 80GB HBM3", 0.87, 71234 * MIB, 81559 * MIB, 64, 512.34))),
                Arguments.of(Named.of("four A100-80GB, some [N/A] and [Not Supported]",
                        Recorded.text("nvidia-smi-a100-4gpu.csv")), List.of(
                        new GpuSample(0, "NVIDIA A100-SXM4-80GB", 1.00, 78012 * MIB, 81920 * MIB, 61, 312.45),
                        new GpuSample(1, "NVIDIA A100-SXM4-80GB", 0.45, 40110 * MIB, 81920 * MIB, 55, Double.NaN),
                        new GpuSample(2, "NVIDIA A100-SXM4-80GB", 0.00, 4 * MIB, 81920 * MIB, 33, 61.02),
                        new GpuSample(3, "NVIDIA A100-SXM4-80GB", Double.NaN, 0, 81920 * MIB, 34, Double.NaN))),
                Arguments.of(Named.of("CRLF and blank lines", "\r\n0, Tesla T4, 5, 100, 15360, 40, 27.5\r\n\r\n"),
                        List.of(new GpuSample(0, "Tesla T4", 0.05, 100 * MIB, 15360 * MIB, 40, 27.5))),
                Arguments.of(Named.of("memory [N/A]", "0, NVIDIA L4, 12, [N/A], [N/A], 45, 30\n"),
                        List.of(new GpuSample(0, "NVIDIA L4", 0.12, GpuSample.UNKNOWN_BYTES, GpuSample.UNKNOWN_BYTES,
                                45, 30))),
                Arguments.of(Named.of("no GPUs", ""), List.of()));
    }

    @ParameterizedTest
    @MethodSource("recorded")
    void parse_recordedOutput_givesOneSamplePerGpu(String output, List<GpuSample> expected) {
        // records compare NaN components equal (Double.compare), so unknown figures are checked too
        assertThat(NvidiaSmi.parse(output)).isEqualTo(expected);
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                Arguments.of(Named.of("too few fields", "0, NVIDIA H100, 87, 100\n"), "line 1", "4 fields"),
                Arguments.of(Named.of("too many fields", "0, a, 1, 2, 3, 4, 5, 6\n"), "line 1", "8 fields"),
                Arguments.of(Named.of("utilisation not a number", "0, H100, lots, 1, 2, 3, 4\n"), "utilization.gpu",
                        "'lots'"),
                Arguments.of(Named.of("negative power on the second line",
                        "0, H100, 1, 1, 2, 3, 4\n1, H100, 1, 1, 2, 3, -4\n"), "line 2", "power.draw '-4'"),
                Arguments.of(Named.of("index not a number", "GPU-0, H100, 1, 1, 2, 3, 4\n"), "line 1",
                        "index 'GPU-0'"),
                Arguments.of(Named.of("an error message", "NVIDIA-SMI has failed because it couldn't communicate "
                        + "with the NVIDIA driver.\n"), "line 1", "NVIDIA-SMI has failed"));
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void parse_malformedLine_failsNamingTheLineAndField(String output, String where, String what) {
        assertThatThrownBy(() -> NvidiaSmi.parse(output))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(where)
                .hasMessageContaining(what);
    }

    @Test
    void locate_pathWithoutNvidiaSmi_isEmpty(@TempDir Path dir) {
        assertThat(NvidiaSmi.locate(dir.toString())).isEmpty();
        assertThat(NvidiaSmi.locate("")).isEmpty();
        assertThat(NvidiaSmi.locate(null)).isEmpty();
    }

    @Test
    void locate_executableInALaterDirectory_isFound(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path exe = script(bin, "nvidia-smi", "true");
        assertThat(NvidiaSmi.locate(empty + java.io.File.pathSeparator + bin)).contains(exe);
    }

    @Test
    void sample_fakeNvidiaSmi_runsTheQueryAndParsesItsOutput(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("out.csv");
        Files.writeString(csv, Recorded.text("nvidia-smi-a100-4gpu.csv"));
        Path args = dir.resolve("args");
        Path exe = script(dir, "nvidia-smi", "echo \"$@\" > '" + args + "'; cat '" + csv + "'");
        List<GpuSample> gpus = NvidiaSmi.at(exe, Duration.ofSeconds(10)).sample();
        assertThat(gpus).hasSize(4);
        assertThat(gpus.get(1).powerW()).isNaN();
        assertThat(Files.readString(args).strip()).isEqualTo("--query-gpu=" + NvidiaSmi.QUERY
                + " --format=csv,noheader,nounits");
    }

    @Test
    void sample_failingNvidiaSmi_throwsWithItsMessage(@TempDir Path dir) throws IOException {
        Path exe = script(dir, "nvidia-smi", "echo 'NVIDIA-SMI has failed because it couldn'\"'\"'t communicate with the NVIDIA driver.'; exit 9");
        assertThatThrownBy(() -> NvidiaSmi.at(exe, Duration.ofSeconds(10)).sample())
                .isInstanceOf(GpuTelemetryException.class)
                .hasMessageContaining("exited with 9")
                .hasMessageContaining("couldn't communicate with the NVIDIA driver");
    }

    @Test
    void sample_hangingNvidiaSmi_failsAfterTheTimeout(@TempDir Path dir) throws IOException {
        Path exe = script(dir, "nvidia-smi", "exec sleep 30");
        long start = System.nanoTime();
        assertThatThrownBy(() -> NvidiaSmi.at(exe, Duration.ofMillis(300)).sample())
                .isInstanceOf(GpuTelemetryException.class)
                .hasMessageContaining("did not answer within PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void sample_missingExecutable_throwsNamingIt(@TempDir Path dir) {
        Path exe = dir.resolve("nvidia-smi");
        assertThatThrownBy(() -> NvidiaSmi.at(exe, Duration.ofSeconds(1)).sample())
                .isInstanceOf(GpuTelemetryException.class)
                .hasMessageContaining("cannot run " + exe);
    }

    private static Path script(Path dir, String name, String body) throws IOException {
        Path exe = dir.resolve(name);
        Files.writeString(exe, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return exe;
    }
}
