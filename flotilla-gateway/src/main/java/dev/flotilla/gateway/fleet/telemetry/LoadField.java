package dev.flotilla.gateway.fleet.telemetry;

/**
 * The figures of {@link EngineLoad}, with how values from several series (models, ranks) on one
 * node combine: counts add up, while a usage fraction of separate KV caches does not (two caches
 * each half full are not one full cache), so the node reports its fullest one.
 */
public enum LoadField {
    RUNNING(Combine.SUM),
    WAITING(Combine.SUM),
    KV_CACHE_USAGE(Combine.MAX),
    PROMPT_TOKENS_TOTAL(Combine.SUM),
    GENERATION_TOKENS_TOTAL(Combine.SUM),
    GENERATION_TOKENS_PER_SECOND(Combine.SUM);

    /** How the values of several series of one field are combined. */
    public enum Combine {
        SUM, MAX
    }

    private final Combine combine;

    LoadField(Combine combine) {
        this.combine = combine;
    }

    public Combine combine() {
        return combine;
    }
}
