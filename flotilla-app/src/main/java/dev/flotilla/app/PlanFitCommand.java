package dev.flotilla.app;

import dev.flotilla.planner.fit.FittedParameter;
import dev.flotilla.planner.fit.LinearFit;
import dev.flotilla.planner.fit.PerfFitter;
import dev.flotilla.planner.fit.Sample;
import dev.flotilla.planner.fit.SampleReader;
import dev.flotilla.planner.io.InfernoJson;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.perf.PerformanceModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla plan fit FILE}: fits a model's performance parameters on one accelerator to
 * measured prefill and decode-step times (least squares), prints each parameter with its standard
 * error and the fits' R², and with {@code --out} writes them as an Inferno model entry
 * ({@code ModelAcceleratorPerfData}) for the planner's input.
 */
@Command(name = "fit", mixinStandardHelpOptions = true,
        description = {"Fit performance parameters to measured samples (least squares, with standard errors and R²): "
                + "decode step = alpha + beta*batch and prefill = gamma + delta*inTokens*batch (--form decode-prefill), "
                + "or the iteration model perfParms{alpha, beta, gamma} (--form perf). See docs/planner.md, \"Fitting\".",
                "FILE: CSV with the header phase,batch,in_tokens,out_tokens,time_ms, or JSON Lines with those keys.",
                "Example: flotilla plan fit samples.csv --model llama_13b --acc A100 --out llama_13b-A100.json"})
final class PlanFitCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Measured samples: CSV or JSON Lines.")
    Path input;

    @Option(names = "--form", paramLabel = "decode-prefill|perf", defaultValue = "decode-prefill",
            description = "Which model to fit and write (default: ${DEFAULT-VALUE}). perf needs out_tokens in every sample.")
    String form;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the fitted parameters as an Inferno model entry.")
    Path out;

    @Option(names = "--model", paramLabel = "NAME", description = "The entry's model name (needed with --out).")
    String model;

    @Option(names = "--acc", paramLabel = "NAME", description = "The entry's accelerator name (needed with --out).")
    String acc;

    @Option(names = "--acc-count", paramLabel = "N", defaultValue = "1",
            description = "Accelerator units one replica uses (default: ${DEFAULT-VALUE}).")
    int accCount;

    @Option(names = "--max-batch-size", paramLabel = "N",
            description = "Most requests of --at-tokens tokens that fit in memory (default: the largest batch sampled).")
    Integer maxBatchSize;

    @Option(names = "--at-tokens", paramLabel = "N",
            description = "Tokens per request at which --max-batch-size holds (default: the samples' mean input plus "
                    + "output tokens, or 512 when output tokens are not given).")
    Integer atTokens;

    @Override
    public Integer call() throws IOException {
        if (!form.equals("decode-prefill") && !form.equals("perf")) {
            throw new IllegalArgumentException("--form: \"" + form + "\" (expected: decode-prefill or perf)");
        }
        if (out != null && (model == null || acc == null)) {
            throw new IllegalArgumentException("--out needs --model and --acc (the entry's name and accelerator)");
        }
        List<Sample> samples = SampleReader.read(input);
        PrintWriter stdout = spec.commandLine().getOut();
        PerformanceModel perf;
        if (form.equals("perf")) {
            LinearFit fit = PerfFitter.iteration(samples);
            print(stdout, "iteration model (perfParms)", fit);
            perf = PerfFitter.iterationModel(fit);
        } else {
            LinearFit decode = PerfFitter.decode(samples);
            LinearFit prefill = PerfFitter.prefill(samples);
            print(stdout, "decode (decodeParms)", decode);
            print(stdout, "prefill (prefillParms)", prefill);
            perf = PerfFitter.decodePrefillModel(decode, prefill);
        }
        if (out != null) {
            int batch = maxBatchSize != null ? maxBatchSize : samples.stream().mapToInt(Sample::batch).max().orElseThrow();
            int tokens = atTokens != null ? atTokens : defaultAtTokens(samples);
            ModelPerf entry = new ModelPerf(model, acc, accCount, batch, tokens, perf);
            try {
                Files.writeString(out, InfernoJson.toString(InfernoJson.model(entry)));
            } catch (IOException e) {
                throw new IllegalArgumentException("--out " + out + ": cannot write (" + e.getMessage() + ")", e);
            }
            stdout.println("wrote " + out + " (Inferno model entry: " + model + " on " + acc + ", maxBatchSize " + batch
                    + " at " + tokens + " tokens)");
        }
        stdout.flush();
        return 0;
    }

    private static int defaultAtTokens(List<Sample> samples) {
        boolean known = samples.stream().allMatch(s -> s.outTokens() > 0);
        return known ? (int) Math.round(samples.stream().mapToDouble(s -> s.inTokens() + s.outTokens()).average()
                .orElse(512)) : 512;
    }

    private static void print(PrintWriter out, String title, LinearFit fit) {
        out.printf(Locale.ROOT, "%s: %s%n", title, fit.equation());
        for (FittedParameter p : fit.parameters()) {
            out.printf(Locale.ROOT, "  %-6s = %12.6g ± %.3g  (%.1f%%)%s%n", p.name(), p.value(), p.standardError(),
                    100 * p.relativeError(), p.value() < 0 ? "  negative: written as 0 (the planner needs >= 0)" : "");
        }
        out.printf(Locale.ROOT, "  R² = %.5f, residual std dev %.4g ms, %d samples%n", fit.rSquared(),
                fit.residualStdDev(), fit.samples());
    }
}
