package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.util.Optional;

/**
 * The inference servers whose {@code /metrics} the gateway can read, each with its own metric
 * names (see {@link EngineLoadMapper} and docs/telemetry-mapping.md).
 */
public enum EngineKind {
    /** A Flotilla node: vLLM's names plus {@code flotilla:} extras. */
    FLOTILLA("flotilla:"),
    VLLM("vllm:"),
    SGLANG("sglang:"),
    LLAMA_CPP("llamacpp:"),
    /** Hugging Face text-generation-inference. */
    TGI("tgi_");

    private final String prefix;

    EngineKind(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Guesses the engine from the metric names present: every engine prefixes its own names, and
     * our nodes are told from vLLM by their {@code flotilla:} metrics (they also carry vLLM's
     * names). Empty when no engine's names appear, e.g. a plain exporter.
     */
    public static Optional<EngineKind> detect(Exposition exposition) {
        for (EngineKind kind : values()) {
            for (Sample s : exposition.samples()) {
                if (s.name().startsWith(kind.prefix)) {
                    return Optional.of(kind);
                }
            }
        }
        return Optional.empty();
    }
}
