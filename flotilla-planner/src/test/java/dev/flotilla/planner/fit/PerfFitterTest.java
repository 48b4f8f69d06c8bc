package dev.flotilla.planner.fit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.planner.fit.Sample.Phase;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.perf.IterationModel;
import dev.flotilla.planner.perf.RequestSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Least-squares fitting of the performance parameters, on seeded synthetic measurements. */
class PerfFitterTest {

    // granite_13b on an A100 in Inferno's v1 sample data, and llama_13b on an A100 in v2
    private static final double ALPHA = 20.58;
    private static final double BETA = 0.41;
    private static final double GAMMA = 164.6;
    private static final double DELTA = 0.0128;
    private static final IterationModel ITERATION = new IterationModel(20.13, 0.087, 0.00271875);

    private static final int[] IN = {64, 128, 256, 512, 1024, 2048};
    private static final int[] OUT = {64, 128, 256, 512, 1024};

    /** Samples at random batch sizes and lengths, each time off by Gaussian noise of {@code noise} (relative). */
    private static List<Sample> synthetic(long seed, int count, double noise, boolean iteration) {
        Random r = new Random(seed);
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Phase phase = i % 2 == 0 ? Phase.PREFILL : Phase.DECODE;
            int n = 1 + r.nextInt(64);
            int in = IN[r.nextInt(IN.length)];
            int o = OUT[r.nextInt(OUT.length)];
            double t;
            if (iteration) {
                RequestSize size = new RequestSize(in, o);
                t = phase == Phase.PREFILL ? ITERATION.prefillTime(size, n) : ITERATION.decodeTime(size, n);
            } else {
                t = phase == Phase.PREFILL ? GAMMA + DELTA * in * n : ALPHA + BETA * n;
            }
            out.add(new Sample(phase, n, in, o, t * (1 + noise * r.nextGaussian())));
        }
        return out;
    }

    private static void assertRecovered(LinearFit fit, String name, double truth) {
        var p = fit.parameter(name).orElseThrow();
        assertThat(p.value()).as(name).isCloseTo(truth, within(Math.abs(truth) * 0.05));
        // the standard error means something: the truth lies within 4 of them
        assertThat(Math.abs(p.value() - truth)).as(name + " within 4 standard errors").isLessThan(4 * p.standardError());
    }

    @Test
    void decodeAndPrefill_noisySamples_recoverParametersWithin5Percent() {
        List<Sample> samples = synthetic(42, 400, 0.02, false);

        LinearFit decode = PerfFitter.decode(samples);
        LinearFit prefill = PerfFitter.prefill(samples);

        assertRecovered(decode, "alpha", ALPHA);
        assertRecovered(decode, "beta", BETA);
        assertRecovered(prefill, "gamma", GAMMA);
        assertRecovered(prefill, "delta", DELTA);
        assertThat(decode.samples()).isEqualTo(200);
        assertThat(decode.rSquared()).isBetween(0.9, 1.0);
        assertThat(prefill.rSquared()).isBetween(0.9, 1.0);
        assertThat(PerfFitter.decodePrefillModel(decode, prefill).alpha()).isEqualTo(decode.value("alpha"));
    }

    @Test
    void read_documentedExampleFile_fitsTheParametersItWasMadeWith() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of(java.util.Objects.requireNonNull(
                PerfFitterTest.class.getResource("/planner/samples.csv")).toURI());
        List<Sample> samples = SampleReader.read(file);

        LinearFit decode = PerfFitter.decode(samples);
        LinearFit prefill = PerfFitter.prefill(samples);

        assertThat(samples).hasSize(120);
        assertRecovered(decode, "alpha", ALPHA);
        assertRecovered(decode, "beta", BETA);
        assertRecovered(prefill, "gamma", GAMMA);
        assertRecovered(prefill, "delta", DELTA);
    }

    @Test
    void iteration_noisySamples_recoverParametersWithin5Percent() {
        LinearFit fit = PerfFitter.iteration(synthetic(7, 400, 0.02, true));

        assertRecovered(fit, "alpha", ITERATION.alpha());
        assertRecovered(fit, "beta", ITERATION.beta());
        assertRecovered(fit, "gamma", ITERATION.gamma());
        assertThat(fit.rSquared()).isGreaterThan(0.99);
    }

    @Test
    void iteration_exactSamples_exactParameters() {
        LinearFit fit = PerfFitter.iteration(synthetic(3, 30, 0, true));

        // the regressors are the iteration model's own prefill and decode formulas
        assertThat(fit.value("alpha")).isCloseTo(ITERATION.alpha(), within(1e-6));
        assertThat(fit.value("beta")).isCloseTo(ITERATION.beta(), within(1e-9));
        assertThat(fit.value("gamma")).isCloseTo(ITERATION.gamma(), within(1e-11));
        assertThat(fit.rSquared()).isCloseTo(1, within(1e-12));
        assertThat(PerfFitter.iterationModel(fit).gamma()).isCloseTo(ITERATION.gamma(), within(1e-11));
    }

    static Stream<Arguments> degenerate() {
        List<Sample> oneBatch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            oneBatch.add(new Sample(Phase.DECODE, 8, 512, 256, 20 + i * 0.1));
            oneBatch.add(new Sample(Phase.PREFILL, 8, 128 * (1 + i % 4), 256, 100 + i));
        }
        List<Sample> sameProduct = List.of(new Sample(Phase.PREFILL, 2, 512, 0, 10), new Sample(Phase.PREFILL, 4, 256, 0, 11),
                new Sample(Phase.PREFILL, 8, 128, 0, 12));
        List<Sample> twoDecode = List.of(new Sample(Phase.DECODE, 2, 0, 0, 10), new Sample(Phase.DECODE, 4, 0, 0, 11));
        List<Sample> noOut = List.of(new Sample(Phase.DECODE, 2, 100, 0, 10), new Sample(Phase.DECODE, 4, 100, 50, 11));
        return Stream.of(
                Arguments.of(Named.of("decode, all at one batch size", oneBatch), "decode",
                        "decode: all 12 samples at batch size 8 (expected: at least two batch sizes; the planner "
                                + "extrapolates the times over the batch size, so they must be measured at several)"),
                Arguments.of(Named.of("iteration, all at one batch size", oneBatch), "iteration",
                        "iteration model: all 24 samples at batch size 8 (expected: at least two batch sizes"),
                Arguments.of(Named.of("prefill, inTokens x batch constant", sameProduct), "prefill",
                        "prefill: the term of delta is 1024 in all 3 samples (expected: samples where it varies, to tell "
                                + "delta from gamma)"),
                Arguments.of(Named.of("decode, two samples", twoDecode), "decode",
                        "decode: 2 samples (expected: at least 3, to estimate alpha, beta and their errors)"),
                Arguments.of(Named.of("iteration without output tokens", noOut), "iteration",
                        "iteration model: 1 of 2 samples without out_tokens"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("degenerate")
    void fit_degenerateSamples_refusedSayingWhy(List<Sample> samples, String fit, String message) {
        assertThatThrownBy(() -> {
            switch (fit) {
                case "decode" -> PerfFitter.decode(samples);
                case "prefill" -> PerfFitter.prefill(samples);
                default -> PerfFitter.iteration(samples);
            }
        }).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void read_csvAndJsonLines_sameSamples() {
        List<Sample> samples = synthetic(5, 6, 0.01, true);
        StringBuilder csv = new StringBuilder("# measured on one replica\nphase,batch,in_tokens,out_tokens,time_ms\n");
        StringBuilder jsonl = new StringBuilder();
        for (Sample s : samples) {
            String phase = s.phase().name().toLowerCase(Locale.ROOT);
            csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s%n", phase, s.batch(), (long) s.inTokens(),
                    (long) s.outTokens(), s.timeMs()));
            jsonl.append(String.format(Locale.ROOT, "{\"phase\": \"%s\", \"batch\": %d, \"inTokens\": %s, "
                    + "\"out_tokens\": %s, \"time_ms\": %s}%n", phase, s.batch(), (long) s.inTokens(),
                    (long) s.outTokens(), s.timeMs()));
        }

        assertThat(SampleReader.parseCsv(csv.toString(), "s.csv")).isEqualTo(samples);
        assertThat(SampleReader.parseJsonLines(jsonl.toString(), "s.jsonl")).isEqualTo(samples);
    }

    @Test
    void read_badRows_everyProblemWithItsLine() {
        String csv = """
                phase,batch,in_tokens,time_ms
                prefill,8,512,81.8
                warmup,8,512,3
                decode,0,,20
                prefill,4,,30
                decode,4,,abc
                decode,4,5
                """;

        assertThatThrownBy(() -> SampleReader.parseCsv(csv, "s.csv")).isInstanceOf(PlannerInputException.class)
                .hasMessage("""
                        5 problems in the planner input:
                          s.csv:3: phase: "warmup" (expected: prefill or decode)
                          s.csv:4: batch: 0 (expected: a whole number >= 1)
                          s.csv:5: in_tokens: missing
                          s.csv:6: time_ms: "abc" (expected: a number)
                          s.csv:7: 3 fields (expected: 4, as the header)""");
        assertThatThrownBy(() -> SampleReader.parseCsv("batch,time_ms\n1,2\n", "s.csv"))
                .hasMessage("s.csv:1: header batch,time_ms has no column phase (expected columns: "
                        + "phase,batch,in_tokens,out_tokens,time_ms)");
        assertThatThrownBy(() -> SampleReader.parseJsonLines("{\"phase\": \"decode\"}\n[1]\n", "s.jsonl"))
                .hasMessageContaining("s.jsonl:1: batch: missing").hasMessageContaining("s.jsonl:1: time_ms: missing")
                .hasMessageContaining("s.jsonl:2: [1] (expected: a JSON object)");
    }
}
