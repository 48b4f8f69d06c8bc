package dev.flotilla.planner.fit;

import dev.flotilla.planner.fit.Sample.Phase;
import dev.flotilla.planner.perf.DecodePrefillModel;
import dev.flotilla.planner.perf.IterationModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.commons.math3.linear.SingularMatrixException;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;

/**
 * Fits the planner's performance parameters to measured samples by ordinary least squares
 * (Apache Commons Math), with each parameter's standard error and the fit's R²:
 *
 * <ul>
 *   <li>{@link #decode}: decode step {@code = alpha + beta * batch} (Inferno's {@code decodeParms});</li>
 *   <li>{@link #prefill}: prefill {@code = gamma + delta * inTokens * batch} ({@code prefillParms});</li>
 *   <li>{@link #iteration}: the iteration model {@code perfParms{alpha, beta, gamma}} of
 *       {@link IterationModel}, in which both phases are linear in the three parameters: with
 *       {@code n} the batch, {@code I}, {@code O} the input and output tokens,
 *       {@code c = n (I+O)/(O+1)} and {@code m = n (I + O/2)},
 *       prefill {@code = alpha + beta (c + I) + gamma (m + I)} and
 *       decode step {@code = alpha + beta (c + 1) + gamma (m + I + O/2)}; it needs the output
 *       tokens of each sample.</li>
 * </ul>
 * Input that cannot determine the parameters is refused with a message saying why: too few
 * samples, all at one batch size (the planner extrapolates over the batch size), or otherwise
 * collinear.
 */
public final class PerfFitter {

    private PerfFitter() {
    }

    /** Decode step time {@code alpha + beta * batch} from the DECODE samples. */
    public static LinearFit decode(List<Sample> samples) {
        List<Sample> decode = samples.stream().filter(s -> s.phase() == Phase.DECODE).toList();
        return fit("decode", "decode step = alpha + beta * batch (ms)", new String[] {"alpha", "beta"}, decode,
                s -> new double[] {s.batch()});
    }

    /** Prefill time {@code gamma + delta * inTokens * batch} from the PREFILL samples. */
    public static LinearFit prefill(List<Sample> samples) {
        List<Sample> prefill = samples.stream().filter(s -> s.phase() == Phase.PREFILL).toList();
        return fit("prefill", "prefill = gamma + delta * inTokens * batch (ms)", new String[] {"gamma", "delta"},
                prefill, s -> new double[] {s.inTokens() * s.batch()});
    }

    /** The iteration model's {@code alpha, beta, gamma} from every sample (each needs its output tokens). */
    public static LinearFit iteration(List<Sample> samples) {
        List<Sample> missing = samples.stream().filter(s -> !(s.outTokens() > 0)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("iteration model: " + missing.size() + " of " + samples.size()
                    + " samples without out_tokens (expected: the mean output tokens of every sample; the "
                    + "decode/prefill model does without them)");
        }
        return fit("iteration model", "prefill = alpha + beta*(c + I) + gamma*(m + I), decode step = alpha + "
                + "beta*(c + 1) + gamma*(m + I + O/2), c = n(I+O)/(O+1), m = n(I + O/2) (ms)",
                new String[] {"alpha", "beta", "gamma"}, samples, PerfFitter::iterationRegressors);
    }

    /** The regressors of beta and gamma for one sample of the iteration model. */
    static double[] iterationRegressors(Sample s) {
        double n = s.batch();
        double in = s.inTokens();
        double out = s.outTokens();
        double compute = n * (in + out) / (out + 1);
        double memory = n * (in + out / 2);
        return s.phase() == Phase.PREFILL ? new double[] {compute + in, memory + in}
                : new double[] {compute + 1, memory + in + out / 2};
    }

    /** The decode/prefill model from two fits (negative estimates written as 0: the planner needs >= 0). */
    public static DecodePrefillModel decodePrefillModel(LinearFit decode, LinearFit prefill) {
        return new DecodePrefillModel(nonNegative(decode.value("alpha")), nonNegative(decode.value("beta")),
                nonNegative(prefill.value("gamma")), nonNegative(prefill.value("delta")));
    }

    /** The iteration model from its fit (negative estimates written as 0). */
    public static IterationModel iterationModel(LinearFit fit) {
        return new IterationModel(nonNegative(fit.value("alpha")), nonNegative(fit.value("beta")),
                nonNegative(fit.value("gamma")));
    }

    private static double nonNegative(double v) {
        return Math.max(0, v);
    }

    private static LinearFit fit(String what, String equation, String[] names, List<Sample> samples,
            Function<Sample, double[]> regressors) {
        int needed = names.length + 1;
        if (samples.size() < needed) {
            throw new IllegalArgumentException(what + ": " + samples.size() + " samples (expected: at least " + needed
                    + ", to estimate " + String.join(", ", names) + " and their errors)");
        }
        TreeSet<Integer> batches = new TreeSet<>();
        samples.forEach(s -> batches.add(s.batch()));
        if (batches.size() < 2) {
            throw new IllegalArgumentException(what + ": all " + samples.size() + " samples at batch size "
                    + batches.first() + " (expected: at least two batch sizes; the planner extrapolates the times "
                    + "over the batch size, so they must be measured at several)");
        }
        double[] y = new double[samples.size()];
        double[][] x = new double[samples.size()][];
        for (int i = 0; i < samples.size(); i++) {
            y[i] = samples.get(i).timeMs();
            x[i] = regressors.apply(samples.get(i));
        }
        for (int j = 0; j < x[0].length; j++) {
            TreeSet<Double> values = new TreeSet<>();
            for (double[] row : x) {
                values.add(row[j]);
            }
            if (values.size() < 2) {
                throw new IllegalArgumentException(what + ": the term of " + names[j + 1] + " is "
                        + number(values.first()) + " in all " + samples.size() + " samples (expected: samples where it "
                        + "varies, to tell " + names[j + 1] + " from " + names[0] + ")");
            }
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(y, x);
        double[] b;
        double[] se;
        try {
            b = ols.estimateRegressionParameters();
            se = ols.estimateRegressionParametersStandardErrors();
        } catch (SingularMatrixException e) {
            throw new IllegalArgumentException(what + ": the samples do not determine " + String.join(", ", names)
                    + " (their terms are collinear; expected: samples varying the batch size and the token counts "
                    + "independently)");
        }
        List<FittedParameter> parameters = new ArrayList<>();
        for (int i = 0; i < names.length; i++) {
            parameters.add(new FittedParameter(names[i], b[i], se[i]));
        }
        return new LinearFit(equation, parameters, ols.calculateRSquared(), ols.estimateRegressionStandardError(),
                samples.size());
    }

    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }
}
