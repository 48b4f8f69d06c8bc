package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.scheduling.ProfileSpec.Plugin;
import dev.flotilla.gateway.scheduling.ProfileSpec.WeightedScorer;
import java.util.List;
import java.util.Map;

/**
 * The scheduling profiles that ship with the gateway, usable by name without configuration: the
 * baselines, the policies of the routers Flotilla is compared with (llm-d, SGLang, InferOps) as
 * their documentation describes them, and Flotilla's own. Every profile filters with
 * {@code healthy} and {@code serves-model} (open circuits are the pipeline's, see {@link #FILTERS});
 * Flotilla's own also with {@code fits-context};
 * {@code docs/scheduling-plugins.md} gives the sources.
 */
public final class BuiltInProfiles {
    /**
     * Filters of every built-in profile. Not {@code circuit-closed}: the request pipeline already
     * takes nodes with an open circuit out after the filters (acquiring half-open probes, and
     * answering "circuit open" when that leaves none); the filter before it would turn that answer
     * into "no node is up". Custom profiles (and the simulator, which has no pipeline) may add it.
     */
    static final List<Plugin> FILTERS = List.of(Plugin.of(HealthyFilter.TYPE), Plugin.of(ServesModelFilter.TYPE));

    private BuiltInProfiles() {
    }

    /** Every built-in profile, in a fixed order. */
    public static List<ProfileSpec> all() {
        return List.of(
                new ProfileSpec("round-robin", FILTERS, List.of(), Plugin.of(RoundRobinPicker.TYPE)),
                new ProfileSpec("least-requests", FILTERS, List.of(), Plugin.of(LeastRequestsPicker.TYPE)),
                // InferOps' weighted formula alone; it is memory-aware, so it also drops nodes whose GPUs
                // are too small for the model when model sizes are configured.
                new ProfileSpec("inferops", withFitsMemory(),
                        List.of(WeightedScorer.of(InferOpsScorer.TYPE, 1)), Plugin.of(MaxScorePicker.TYPE)),
                // llm-d's default scorer weights: queue 2, KV-cache utilisation 2, prefix cache 3, max-score picker.
                new ProfileSpec("llmd-default", FILTERS, List.of(
                        WeightedScorer.of(QueueDepthScorer.TYPE, 2),
                        WeightedScorer.of(KvCacheScorer.TYPE, 2),
                        WeightedScorer.of(PrefixAffinityScorer.TYPE, 3)), Plugin.of(MaxScorePicker.TYPE)),
                new ProfileSpec("sglang-cache-aware", FILTERS, List.of(), Plugin.of(SglangCacheAwarePicker.TYPE)),
                // Ours, tuned in the simulator (docs/benchmarks.md, "Routing policies"): latency predicted
                // from what each node delivered (with the queue this gateway has sent beyond a node's
                // slots), then cache reuse, the tokens in flight and the queue as guards against herding
                // between scrapes. Weights 3/2/1 (first guess) herded on long prompts; 3/1/1/1 won. Tokens in
                // flight per TFLOPS: the same on a fleet of one kind, better on 30 of 32 mixed-fleet cells.
                new ProfileSpec("flotilla", withFitsContext(), List.of(
                        WeightedScorer.of(PredictedLatencyScorer.TYPE, 3),
                        WeightedScorer.of(PrefixAffinityScorer.TYPE, 1),
                        new WeightedScorer(InFlightTokensScorer.TYPE, 1, Map.of("per", "tflops")),
                        WeightedScorer.of(QueueDepthScorer.TYPE, 1)), Plugin.of(MaxScorePicker.TYPE)));
    }

    /**
     * The filters plus fits-context: only Flotilla's own profile. The baselines stay as their sources
     * describe them (none of round-robin, least-requests, llm-d's default, SGLang's cache-aware policy
     * or InferOps reads a node's context length), so the matrix still shows what knowing it is worth.
     */
    private static List<Plugin> withFitsContext() {
        return List.of(FILTERS.get(0), FILTERS.get(1), Plugin.of(FitsContextFilter.TYPE));
    }

    /** The filters plus fits-memory on total GPU memory: resident engines count a served model as used memory. */
    private static List<Plugin> withFitsMemory() {
        return List.of(FILTERS.get(0), FILTERS.get(1), new Plugin(FitsMemoryFilter.TYPE, Map.of("memory", "total")));
    }
}
