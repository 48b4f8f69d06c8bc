package dev.flotilla.engine;

/**
 * Cumulative prefix-cache figures of an engine, in prompt tokens (as vLLM counts them for
 * {@code vllm:prefix_cache_queries} and {@code vllm:prefix_cache_hits}).
 *
 * @param queriedTokens prompt tokens looked up in the cache since the engine started
 * @param hitTokens     of those, tokens whose KV was found cached and not computed again
 */
public record PrefixCacheStats(long queriedTokens, long hitTokens) {
    public PrefixCacheStats {
        if (queriedTokens < 0 || hitTokens < 0 || hitTokens > queriedTokens) {
            throw new IllegalArgumentException("prefix cache: hits " + hitTokens + " of " + queriedTokens
                    + " queried tokens (expected 0 <= hits <= queried)");
        }
    }
}
