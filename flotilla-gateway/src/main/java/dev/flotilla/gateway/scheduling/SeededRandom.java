package dev.flotilla.gateway.scheduling;

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

    synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    synchronized double nextDouble() {
        return random.nextDouble();
    }
}
