package dev.flotilla.engine;

/**
 * A snapshot of an engine's load.
 *
 * @param running         generations in the running batch
 * @param waiting         generations queued for a slot (first come, first served)
 * @param kvCacheUsage    fraction of the KV cache in use, 0 to 1
 * @param tokensPerSecond generated tokens per second over the recent past
 */
public record EngineState(int running, int waiting, double kvCacheUsage, double tokensPerSecond) {
}
