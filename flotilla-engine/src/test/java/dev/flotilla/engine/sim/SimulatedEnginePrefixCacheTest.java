package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PrefixCacheStats;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The simulated prefix cache: hits skip prefill exactly as the performance model says, LRU eviction under KV pressure. */
class SimulatedEnginePrefixCacheTest {
    private static final long MS = 1_000_000L;

    private final VirtualScheduler clock = new VirtualScheduler();

    /** decode 5 + 0.25*n ms, prefill 10 + 0.5*t ms. */
    private static AcceleratorProfile profile(int kvTokens) {
        return new AcceleratorProfile("test", 80, 1000, 100, 5, 0.25, 10, 0.5, 16, kvTokens, Math.min(4096, kvTokens));
    }

    /** {@code n} one-word tokens: prefix + "-" + i. */
    private static String words(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).collect(Collectors.joining(" "));
    }

    /** Runs one request alone to the end and returns its time to first token in ns. */
    private long firstTokenNanos(SimulatedEngine engine, String prompt, int maxTokens) {
        RecordingListener listener = new RecordingListener(clock::nanoTime);
        long start = clock.nanoTime();
        engine.submit(new GenerationRequest("r" + start, prompt, maxTokens, 0.7, 1.0, 1L, List.of()), listener);
        clock.runUntilIdle();
        assertThat(listener.finish).isNotNull();
        return listener.tokenTimes.get(0) - start;
    }

    @Test
    void samePromptAgain_cachedBlocksSkipPrefill() {
        SimulatedEngine engine = SimulatedEngine.create("m", profile(100_000), clock);
        String prompt = words("w", 40); // 2 full blocks of 16, 8 tokens over

        assertThat(firstTokenNanos(engine, prompt, 3)).as("cold: 10 + 0.5*40 ms").isEqualTo(30 * MS);
        assertThat(firstTokenNanos(engine, prompt, 3)).as("32 tokens cached: 10 + 0.5*8 ms").isEqualTo(14 * MS);
        assertThat(engine.prefixCache()).contains(new PrefixCacheStats(80, 32));
    }

    @Test
    void promptOfWholeBlocks_lastTokenIsAlwaysComputed() {
        SimulatedEngine engine = SimulatedEngine.create("m", profile(100_000), clock);
        String prompt = words("w", 32);
        firstTokenNanos(engine, prompt, 3);

        assertThat(firstTokenNanos(engine, prompt, 3)).as("31 cached, 1 computed: 10 + 0.5 ms").isEqualTo(10 * MS + MS / 2);
        assertThat(engine.prefixCache().orElseThrow().hitTokens()).isEqualTo(31);
    }

    @Test
    void sharedFirstBlockOnly_hitStopsAtTheFirstDifferentBlock() {
        SimulatedEngine engine = SimulatedEngine.create("m", profile(100_000), clock);
        firstTokenNanos(engine, words("w", 16) + " " + words("a", 24), 3);

        long ttft = firstTokenNanos(engine, words("w", 16) + " " + words("b", 24), 3);

        assertThat(ttft).as("16 cached of 40: 10 + 0.5*24 ms").isEqualTo(22 * MS);
        assertThat(engine.prefixCache().orElseThrow().hitTokens()).isEqualTo(16);
    }

    @Test
    void laterBlockEqualButEarlierDifferent_noHit() {
        SimulatedEngine engine = SimulatedEngine.create("m", profile(100_000), clock);
        firstTokenNanos(engine, words("a", 16) + " " + words("w", 16) + " end", 3);

        long ttft = firstTokenNanos(engine, words("b", 16) + " " + words("w", 16) + " end", 3);

        assertThat(ttft).as("the chain makes the second block differ too: 10 + 0.5*33 ms").isEqualTo(26 * MS + MS / 2);
        assertThat(engine.prefixCache().orElseThrow().hitTokens()).isZero();
    }

    @Test
    void cachingOff_noStatsAndFullPrefillEveryTime() {
        SimulatedEngine engine = SimulatedEngine.create("m", profile(100_000), clock, false);
        String prompt = words("w", 40);
        firstTokenNanos(engine, prompt, 3);

        assertThat(firstTokenNanos(engine, prompt, 3)).isEqualTo(30 * MS);
        assertThat(engine.prefixCache()).isEmpty();
    }

    @Test
    void kvPressure_evictsLeastRecentlyUsedFreeBlocksFirst() {
        // 200 tokens of KV: 12 blocks; A and B (2 blocks each) end cached, then C reserves 40 + 128 = 168
        // tokens, leaving 32 free = 2 blocks: A's two blocks (older) are evicted, B's stay
        SimulatedEngine engine = SimulatedEngine.create("m", profile(200), clock);
        String a = words("a", 40);
        String b = words("b", 40);
        firstTokenNanos(engine, a, 3);
        firstTokenNanos(engine, b, 3);
        firstTokenNanos(engine, words("c", 40), 128);

        assertThat(firstTokenNanos(engine, b, 3)).as("B still cached").isEqualTo(14 * MS);
        assertThat(firstTokenNanos(engine, a, 3)).as("A evicted").isEqualTo(30 * MS);
        assertThat(engine.prefixCache()).contains(new PrefixCacheStats(200, 32));
    }

    @Test
    void blockHashes_sameTextSameHashesWhitespaceIgnoredShortTextNone() {
        String text = words("w", 40);
        assertThat(PrefixCache.blockHashes(text)).hasSize(2).containsExactly(PrefixCache.blockHashes(text));
        assertThat(PrefixCache.blockHashes(text.replace(" ", "  \n"))).containsExactly(PrefixCache.blockHashes(text));
        assertThat(PrefixCache.blockHashes(words("w", 15))).isEmpty();
        assertThat(PrefixCache.blockHashes("Hello, world! " + words("w", 13)))
                .as("punctuation marks are tokens: 'Hello' ',' 'world' '!' + 13 = 17 tokens").hasSize(1);
        assertThat(PrefixCache.blockHashes(words("w", 16))[0]).isNotEqualTo(PrefixCache.blockHashes(words("v", 16))[0]);
    }
}
