package dev.flotilla.engine.sim;

/**
 * The model the built-in profiles are timed for, Llama-2-7B with 16-bit weights, and the formulas
 * that turn datasheet figures into timing parameters. The derivation and its assumptions are in
 * {@code docs/simulated-gpu.md}; change both together.
 */
final class ReferenceModel {

    /** Llama-2-7B parameter count. */
    static final double PARAMETERS = 6.74e9;
    /** 16-bit weights: 2 bytes per parameter. */
    static final double WEIGHT_BYTES = 2 * PARAMETERS;
    /** K and V, 32 layers, hidden size 4096 (32 heads x 128, no grouped-query attention), 2 bytes each. */
    static final int KV_BYTES_PER_TOKEN = 2 * 32 * 4096 * 2;
    /** Llama-2's trained context length. */
    static final int MAX_CONTEXT = 4096;
    /** vLLM's default gpu_memory_utilization: the rest is CUDA context, activations and graphs. */
    static final double MEMORY_UTILISATION = 0.90;
    /** Fraction of datasheet bandwidth a streaming read of the weights achieves. */
    static final double BANDWIDTH_EFFICIENCY = 0.80;
    /** Fraction of datasheet dense tensor throughput the matrix multiplications achieve. */
    static final double COMPUTE_EFFICIENCY = 0.50;
    /** Context length of an average sequence in a decode batch, for the KV bytes beta reads. */
    static final int TYPICAL_CONTEXT = 1024;
    /** vLLM's default max_num_seqs. */
    static final int MAX_BATCH = 256;

    private ReferenceModel() {
    }

    static AcceleratorProfile profile(String name, double memoryGb, double bandwidthGbs, double tflops) {
        double bytesPerMs = bandwidthGbs * 1e9 * BANDWIDTH_EFFICIENCY / 1000;
        double flopsPerMs = tflops * 1e12 * COMPUTE_EFFICIENCY / 1000;
        double weightsReadMs = WEIGHT_BYTES / bytesPerMs;
        double tokenComputeMs = 2 * PARAMETERS / flopsPerMs;
        double alpha = weightsReadMs;
        double beta = (double) TYPICAL_CONTEXT * KV_BYTES_PER_TOKEN / bytesPerMs + tokenComputeMs;
        double gamma = weightsReadMs;
        double delta = tokenComputeMs;
        int kvTokens = (int) Math.floor((MEMORY_UTILISATION * memoryGb * 1e9 - WEIGHT_BYTES) / KV_BYTES_PER_TOKEN);
        return new AcceleratorProfile(name, memoryGb, bandwidthGbs, tflops, alpha, beta, gamma, delta,
                MAX_BATCH, kvTokens, Math.min(MAX_CONTEXT, kvTokens));
    }
}
