package dev.flotilla.bench.sim;

import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.PrefixCacheStats;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimScheduler;
import dev.flotilla.engine.sim.SimulatedEngine;

/**
 * One simulated node: its engine, the counters its {@code /metrics} would show, and the gateway's
 * count of requests outstanding on it. Touched only from the simulation's single thread.
 */
final class SimNode {
    final int index;
    final String name;
    final AcceleratorProfile profile;
    final SimulatedEngine engine;

    /** Requests the gateway sent and has not seen finish. */
    int outstanding;
    /** Tokens of those requests (estimated prompt plus max_tokens), as the gateway counts them. */
    long inFlightTokens;
    long served;
    long refused;
    // the node's vllm:prompt_tokens / vllm:generation_tokens counters, counted when a request finishes
    long promptTokensTotal;
    long generationTokensTotal;

    SimNode(int index, String name, AcceleratorProfile profile, String model, SimScheduler scheduler,
            boolean prefixCaching) {
        this.index = index;
        this.name = name;
        this.profile = profile;
        this.engine = SimulatedEngine.create(model, profile, scheduler, prefixCaching);
    }

    /** What a scrape of the node reads at this instant. */
    Sample sample() {
        return new Sample(engine.state(), promptTokensTotal, generationTokensTotal);
    }

    PrefixCacheStats prefixCache() {
        return engine.prefixCache().orElse(new PrefixCacheStats(0, 0));
    }

    /** One scrape's reading of a node, taken at the sampling instant. */
    record Sample(EngineState state, long promptTokensTotal, long generationTokensTotal) {
    }
}
