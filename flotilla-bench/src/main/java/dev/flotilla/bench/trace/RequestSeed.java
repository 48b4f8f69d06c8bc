package dev.flotilla.bench.trace;

import java.nio.charset.StandardCharsets;

/**
 * The sampling seed of one trace record, derived from its id alone. {@code flotilla bench
 * --seed-requests} sends it as the request's {@code seed} and {@code flotilla sim} gives the
 * simulated engine the same one, so a request generates the same text (and as many tokens) live
 * and in the simulation.
 */
public final class RequestSeed {
    private RequestSeed() {
    }

    /** The seed of the record with this id: FNV-1a over its UTF-8 bytes, then a SplitMix64 finaliser. */
    public static long of(String recordId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : recordId.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /**
     * The seed of the record with this id under a run seed: {@link #of(String)} itself for run seed 0
     * (what a live run with {@code --seed-requests} sends), another stream for every other run seed.
     */
    public static long of(String recordId, long runSeed) {
        long s = of(recordId);
        return runSeed == 0 ? s : mix(s ^ (runSeed * 0x9e3779b97f4a7c15L));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
