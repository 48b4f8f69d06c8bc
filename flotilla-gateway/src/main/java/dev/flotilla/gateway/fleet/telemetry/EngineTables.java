package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.gateway.fleet.telemetry.EngineLoadMapper.Mapping;
import java.util.List;

/**
 * The mapping tables, one per engine kind. Metric names and meanings are taken from each engine's
 * public documentation (cited per table); docs/telemetry-mapping.md shows the same tables.
 */
final class EngineTables {
    private static final String VLLM_DOC = "vLLM docs, Production Metrics (docs.vllm.ai/en/stable/usage/metrics)";

    private EngineTables() {
    }

    static EngineLoadMapper mapper(EngineKind kind) {
        return switch (kind) {
            case FLOTILLA -> new TableMapper(kind, "model_name", flotilla());
            case VLLM -> new TableMapper(kind, "model_name", vllm());
            case SGLANG -> new TableMapper(kind, "model_name", sglang());
            // one model per llama-server and per TGI launcher: their series carry no model label
            case LLAMA_CPP -> new TableMapper(kind, null, llamaCpp());
            case TGI -> new TableMapper(kind, null, tgi());
        };
    }

    /**
     * vLLM. {@code vllm:kv_cache_usage_perc} is the V1 engine's name; releases up to 0.8 (V0
     * engine) called it {@code vllm:gpu_cache_usage_perc}; both are fractions ("1 means 100 percent
     * usage") despite the name. Series are labelled {@code model_name}.
     */
    static List<Mapping> vllm() {
        return List.of(
                new Mapping(LoadField.RUNNING, List.of("vllm:num_requests_running"),
                        "gauge: requests in model execution batches; " + VLLM_DOC),
                new Mapping(LoadField.WAITING, List.of("vllm:num_requests_waiting"),
                        "gauge: requests waiting to be processed; " + VLLM_DOC),
                new Mapping(LoadField.KV_CACHE_USAGE, List.of("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
                        "gauge: KV-cache usage, 1 means 100 percent (older releases: gpu_cache_usage_perc); "
                                + VLLM_DOC),
                new Mapping(LoadField.PROMPT_TOKENS_TOTAL, List.of("vllm:prompt_tokens_total"),
                        "counter: prefill tokens processed; " + VLLM_DOC),
                new Mapping(LoadField.GENERATION_TOKENS_TOTAL, List.of("vllm:generation_tokens_total"),
                        "counter: generation tokens processed; " + VLLM_DOC));
    }

    /**
     * Our nodes publish vLLM's names and labels (flotilla-engine NodeMetrics) plus a generation rate
     * of their own over the recent past.
     */
    static List<Mapping> flotilla() {
        return concat(vllm(), new Mapping(LoadField.GENERATION_TOKENS_PER_SECOND,
                List.of("flotilla:generation_tokens_per_second"),
                "gauge: generated tokens per second over the recent past; flotilla-engine NodeMetrics"));
    }

    /**
     * SGLang, served with {@code --enable-metrics}; names from the SGLang docs, Production Metrics
     * (docs.sglang.io/references/production_metrics). {@code sglang:token_usage} is the fraction of
     * the KV token pool in use. Series are labelled {@code model_name}.
     */
    static List<Mapping> sglang() {
        String doc = "SGLang docs, Production Metrics (docs.sglang.io/references/production_metrics)";
        return List.of(
                new Mapping(LoadField.RUNNING, List.of("sglang:num_running_reqs"),
                        "gauge: number of running requests; " + doc),
                new Mapping(LoadField.WAITING, List.of("sglang:num_queue_reqs"),
                        "gauge: number of requests in the waiting queue; " + doc),
                new Mapping(LoadField.KV_CACHE_USAGE, List.of("sglang:token_usage"),
                        "gauge: token (KV pool) usage, 0..1; " + doc),
                new Mapping(LoadField.PROMPT_TOKENS_TOTAL, List.of("sglang:prompt_tokens_total"),
                        "counter: prefill tokens processed; " + doc),
                new Mapping(LoadField.GENERATION_TOKENS_TOTAL, List.of("sglang:generation_tokens_total"),
                        "counter: generation tokens processed; " + doc),
                new Mapping(LoadField.GENERATION_TOKENS_PER_SECOND, List.of("sglang:gen_throughput"),
                        "gauge: generation throughput in tokens/s over the last logging interval; " + doc));
    }

    /**
     * llama.cpp's llama-server, started with {@code --metrics}; names from its README, section
     * "GET /metrics" (tools/server/README.md, formerly examples/server/README.md).
     * {@code llamacpp:kv_cache_usage_ratio} is listed there but recent builds no longer publish
     * it, so the field is then NaN. {@code llamacpp:predicted_tokens_seconds} is an average since
     * start, not a current rate, so it is not mapped.
     */
    static List<Mapping> llamaCpp() {
        String doc = "llama.cpp server README, GET /metrics";
        return List.of(
                new Mapping(LoadField.RUNNING, List.of("llamacpp:requests_processing"),
                        "gauge: number of requests processing; " + doc),
                new Mapping(LoadField.WAITING, List.of("llamacpp:requests_deferred"),
                        "gauge: number of requests deferred (waiting for a free slot); " + doc),
                new Mapping(LoadField.KV_CACHE_USAGE, List.of("llamacpp:kv_cache_usage_ratio"),
                        "gauge: KV-cache usage, 1 means 100 percent (absent in recent builds); " + doc),
                new Mapping(LoadField.PROMPT_TOKENS_TOTAL, List.of("llamacpp:prompt_tokens_total"),
                        "counter: prompt tokens processed; " + doc),
                new Mapping(LoadField.GENERATION_TOKENS_TOTAL, List.of("llamacpp:tokens_predicted_total"),
                        "counter: generation tokens processed; " + doc));
    }

    /**
     * Hugging Face text-generation-inference; names from its docs, Reference, Metrics
     * (huggingface.co/docs/text-generation-inference/reference/metrics). TGI has no token
     * counters: the {@code _sum} of its per-request token histograms is the total. It publishes
     * no KV-cache usage.
     */
    static List<Mapping> tgi() {
        String doc = "TGI docs, Reference, Metrics";
        return List.of(
                new Mapping(LoadField.RUNNING, List.of("tgi_batch_current_size"),
                        "gauge: current batch size; " + doc),
                new Mapping(LoadField.WAITING, List.of("tgi_queue_size"),
                        "gauge: current queue size; " + doc),
                new Mapping(LoadField.PROMPT_TOKENS_TOTAL, List.of("tgi_request_input_length_sum"),
                        "sum of histogram: input token length per request; " + doc),
                new Mapping(LoadField.GENERATION_TOKENS_TOTAL, List.of("tgi_request_generated_tokens_sum"),
                        "sum of histogram: generated tokens per request; " + doc));
    }

    private static List<Mapping> concat(List<Mapping> base, Mapping extra) {
        List<Mapping> out = new java.util.ArrayList<>(base);
        out.add(extra);
        return List.copyOf(out);
    }
}
