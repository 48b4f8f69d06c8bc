package dev.flotilla.engine.sim;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A named accelerator as the simulated engine models it: its datasheet figures and the timing
 * parameters of the Inferno-style performance model for one reference model (Llama-2-7B in 16-bit
 * weights, see {@code docs/simulated-gpu.md}). A decode iteration over a batch of n sequences takes
 * {@code alpha + beta * n} ms; a prefill iteration takes {@code gamma + delta * t} ms where t is the
 * number of prompt tokens prefilled in that iteration.
 *
 * @param name             the accelerator's name, e.g. "H100"
 * @param memoryGb         accelerator memory in GB (10^9 bytes)
 * @param bandwidthGbs     memory bandwidth in GB/s
 * @param tflopsBf16       dense BF16 (FP16 where the card has no BF16) tensor TFLOPS
 * @param decodeAlphaMs    fixed time of one decode iteration, ms
 * @param decodeBetaMs     extra decode time per sequence in the batch, ms
 * @param prefillGammaMs   fixed time of one prefill iteration, ms
 * @param prefillDeltaMs   extra prefill time per prompt token, ms
 * @param maxBatchSize     most sequences in the running batch
 * @param kvCacheTokens    KV-cache capacity in tokens, shared by the running sequences
 * @param maxContextTokens most tokens (prompt plus output) of one sequence; at most {@code kvCacheTokens}
 */
public record AcceleratorProfile(String name, double memoryGb, double bandwidthGbs, double tflopsBf16,
                                 double decodeAlphaMs, double decodeBetaMs,
                                 double prefillGammaMs, double prefillDeltaMs,
                                 int maxBatchSize, int kvCacheTokens, int maxContextTokens) {

    /** NVIDIA H100 SXM5 80 GB. */
    public static final AcceleratorProfile H100 = ReferenceModel.profile("H100", 80, 3350, 989);
    /** NVIDIA A100 SXM4 80 GB. */
    public static final AcceleratorProfile A100_80G = ReferenceModel.profile("A100-80G", 80, 2039, 312);
    /** NVIDIA L40S 48 GB. */
    public static final AcceleratorProfile L40S = ReferenceModel.profile("L40S", 48, 864, 362);
    /** NVIDIA L4 24 GB. */
    public static final AcceleratorProfile L4 = ReferenceModel.profile("L4", 24, 300, 121);
    /** NVIDIA T4 16 GB (FP16: Turing has no BF16). */
    public static final AcceleratorProfile T4 = ReferenceModel.profile("T4", 16, 320, 65);
    /**
     * An infinitely fast accelerator: every iteration takes no time. It measures the overhead of
     * everything around the engine (the gateway, the node server). Hardware figures are 0 (unknown).
     */
    public static final AcceleratorProfile ZERO =
            new AcceleratorProfile("zero", 0, 0, 0, 0, 0, 0, 0, 1024, 1024 * ReferenceModel.MAX_CONTEXT,
                    ReferenceModel.MAX_CONTEXT);

    /** Bytes of the reference model's weights (Llama-2-7B, 16-bit), which every profile's timings assume. */
    public static final long REFERENCE_WEIGHT_BYTES = (long) ReferenceModel.WEIGHT_BYTES;
    /** KV-cache bytes one token of the reference model takes. */
    public static final long REFERENCE_KV_BYTES_PER_TOKEN = ReferenceModel.KV_BYTES_PER_TOKEN;

    private static final List<AcceleratorProfile> BUILT_INS = List.of(H100, A100_80G, L40S, L4, T4, ZERO);

    public AcceleratorProfile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected a non-blank name)");
        }
        requireNonNegative(name, "memoryGb", memoryGb);
        requireNonNegative(name, "bandwidthGbs", bandwidthGbs);
        requireNonNegative(name, "tflopsBf16", tflopsBf16);
        requireNonNegative(name, "decodeAlphaMs", decodeAlphaMs);
        requireNonNegative(name, "decodeBetaMs", decodeBetaMs);
        requireNonNegative(name, "prefillGammaMs", prefillGammaMs);
        requireNonNegative(name, "prefillDeltaMs", prefillDeltaMs);
        requirePositive(name, "maxBatchSize", maxBatchSize);
        requirePositive(name, "kvCacheTokens", kvCacheTokens);
        requirePositive(name, "maxContextTokens", maxContextTokens);
        // A sequence that could need more KV than exists would block the FCFS queue for ever.
        if (maxContextTokens > kvCacheTokens) {
            throw new IllegalArgumentException(name + ".maxContextTokens: " + maxContextTokens
                    + " (expected <= kvCacheTokens " + kvCacheTokens + ")");
        }
    }

    /** The built-in profiles: H100, A100-80G, L40S, L4, T4 and zero. */
    public static List<AcceleratorProfile> builtIns() {
        return BUILT_INS;
    }

    /**
     * The built-in profile with this name, ignoring case.
     *
     * @throws IllegalArgumentException naming the known profiles when there is none
     */
    public static AcceleratorProfile named(String name) {
        for (AcceleratorProfile profile : BUILT_INS) {
            if (profile.name().equalsIgnoreCase(name)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("accelerator: '" + name + "' is not a known profile (known: "
                + BUILT_INS.stream().map(AcceleratorProfile::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Duration of a decode iteration over {@code batchSize} sequences, in nanoseconds. */
    public long decodeNanos(int batchSize) {
        return toNanos(decodeAlphaMs + decodeBetaMs * batchSize);
    }

    /** Duration of a prefill iteration over {@code promptTokens} tokens in total, in nanoseconds. */
    public long prefillNanos(long promptTokens) {
        return toNanos(prefillGammaMs + prefillDeltaMs * promptTokens);
    }

    private static long toNanos(double millis) {
        return Math.round(millis * 1_000_000.0);
    }

    private static void requireNonNegative(String profile, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(profile + "." + field + ": " + value + " (expected a finite value >= 0)");
        }
    }

    private static void requirePositive(String profile, String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(profile + "." + field + ": " + value + " (expected > 0)");
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "%s[%.0f GB, %.0f GB/s, %.0f TFLOPS, decode %.3f + %.4f*n ms, prefill %.3f + %.5f*t ms,"
                        + " batch %d, KV %d tokens, context %d]",
                name, memoryGb, bandwidthGbs, tflopsBf16, decodeAlphaMs, decodeBetaMs, prefillGammaMs,
                prefillDeltaMs, maxBatchSize, kvCacheTokens, maxContextTokens);
    }
}
