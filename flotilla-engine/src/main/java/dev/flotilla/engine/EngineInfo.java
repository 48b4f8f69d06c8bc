package dev.flotilla.engine;

/**
 * What a node reports about its engine in {@code /node/info}.
 *
 * @param engine          "llama.cpp" or "simulated"
 * @param accelerator     the accelerator's name ("H100", "cpu")
 * @param memoryGb        accelerator memory in GB (host memory for CPU engines)
 * @param bandwidthGbs    memory bandwidth in GB/s, 0 when unknown
 * @param tflopsBf16      dense BF16 TFLOPS, 0 when unknown
 * @param slots           generations that run at once (the batch limit)
 * @param contextPerSlot  tokens of context available to one generation (prompt plus output)
 */
public record EngineInfo(String engine, String accelerator, double memoryGb, double bandwidthGbs,
                         double tflopsBf16, int slots, int contextPerSlot) {
}
