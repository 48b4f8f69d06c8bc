package dev.flotilla.gateway.fleet.telemetry;

import java.util.Map;

/**
 * The load of one engine (a node, or one model on it) in one engine-independent shape, read from
 * the engine's {@code /metrics}. A figure the engine does not report is NaN, so that a consumer
 * can tell "not reported" from zero ("idle").
 *
 * @param running                   requests being generated (in the running batch)
 * @param waiting                   requests queued for a slot
 * @param kvCacheUsage              fraction of the KV cache in use, 0..1
 * @param promptTokensTotal         prompt (prefill) tokens processed since the engine started (counter)
 * @param generationTokensTotal     tokens generated since the engine started (counter)
 * @param generationTokensPerSecond current generation rate as the engine itself measures it
 */
public record EngineLoad(double running, double waiting, double kvCacheUsage, double promptTokensTotal,
                         double generationTokensTotal, double generationTokensPerSecond) {

    /** Nothing reported. */
    public static final EngineLoad UNKNOWN = new EngineLoad(Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    static EngineLoad of(Map<LoadField, Double> values) {
        return new EngineLoad(get(values, LoadField.RUNNING), get(values, LoadField.WAITING),
                get(values, LoadField.KV_CACHE_USAGE), get(values, LoadField.PROMPT_TOKENS_TOTAL),
                get(values, LoadField.GENERATION_TOKENS_TOTAL), get(values, LoadField.GENERATION_TOKENS_PER_SECOND));
    }

    private static double get(Map<LoadField, Double> values, LoadField field) {
        return values.getOrDefault(field, Double.NaN);
    }

    /** The figure of one field. */
    public double get(LoadField field) {
        return switch (field) {
            case RUNNING -> running;
            case WAITING -> waiting;
            case KV_CACHE_USAGE -> kvCacheUsage;
            case PROMPT_TOKENS_TOTAL -> promptTokensTotal;
            case GENERATION_TOKENS_TOTAL -> generationTokensTotal;
            case GENERATION_TOKENS_PER_SECOND -> generationTokensPerSecond;
        };
    }

    /** Whether the engine reported this figure. */
    public boolean reports(LoadField field) {
        return !Double.isNaN(get(field));
    }
}
