package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.util.SplittableRandom;

/**
 * A {@link SplittableRandom} from the plugin context's seed, shared by the event-loop threads of
 * one picker behind a lock (SplittableRandom is not thread-safe; a draw is nanoseconds, so the
 * lock is uncontended in practice). With one thread the draws repeat for the same seed.
 */
final class SeededRandom {
    private final SplittableRandom random;

    SeededRandom(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /**
     * The generator of one plugin place: the context's seed mixed with the place's configuration
     * path, so that two random pickers in one gateway do not draw the same sequence.
     */
    static SeededRandom forPlace(PluginContext context, PluginParams params) {
        return new SeededRandom(context.seed() ^ (0x9e3779b97f4a7c15L * params.path().hashCode()));
    }

    synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    synchronized double nextDouble() {
        return random.nextDouble();
    }
}
