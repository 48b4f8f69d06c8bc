package dev.flotilla.engine.server;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.telemetry.DcgmExporter;
import dev.flotilla.engine.telemetry.GpuSample;
import dev.flotilla.engine.telemetry.HostSample;
import dev.flotilla.engine.telemetry.NodeTelemetry;
import dev.flotilla.engine.telemetry.TelemetrySample;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.ToDoubleFunction;

/**
 * The node's Prometheus metrics, under vLLM's names and labels so that the gateway (and any
 * Prometheus dashboard built for vLLM) reads our nodes and vLLM nodes alike. Gauges are read from
 * the engine at scrape time; counters and histograms are fed by the request handlers. Beside them,
 * the node's hardware: GPUs under the DCGM exporter's names and labels ({@code gpu}, {@code modelName}),
 * the host under {@code flotilla_host_*}, read once per scrape from a {@link NodeTelemetry}; a
 * figure that is unknown (NaN) has no series, as with DCGM. A scrape may block on the GPU source, so
 * it runs on a worker thread.
 */
final class NodeMetrics {
    // vLLM's own bucket boundaries for these histograms (seconds)
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
            0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75,
            1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] E2E_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0,
            40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final String model;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter requestSuccess;
    private final Histogram ttft;
    private final Histogram itl;
    private final Histogram e2e;
    private final NodeTelemetry telemetry;
    // The telemetry read at the start of the scrape under way; the gauges' callbacks read it.
    private volatile TelemetrySample current;

    NodeMetrics(Engine engine, NodeTelemetry telemetry) {
        this.telemetry = java.util.Objects.requireNonNull(telemetry, "telemetry");
        this.model = engine.model();
        GaugeWithCallback.builder().name("vllm:num_requests_running")
                .help("Number of requests in the running batch.").labelNames("model_name")
                .callback(cb -> cb.call(engine.state().running(), model)).register(registry);
        GaugeWithCallback.builder().name("vllm:num_requests_waiting")
                .help("Number of requests waiting for a slot.").labelNames("model_name")
                .callback(cb -> cb.call(engine.state().waiting(), model)).register(registry);
        GaugeWithCallback.builder().name("vllm:kv_cache_usage_perc")
                .help("KV-cache usage. 1 means 100 percent usage.").labelNames("model_name")
                .callback(cb -> cb.call(engine.state().kvCacheUsage(), model)).register(registry);
        GaugeWithCallback.builder().name("flotilla:generation_tokens_per_second")
                .help("Generated tokens per second over the recent past.").labelNames("model_name")
                .callback(cb -> {
                    EngineState s = engine.state();
                    cb.call(s.tokensPerSecond(), model);
                }).register(registry);
        if (engine.prefixCache().isPresent()) {
            // vLLM counts both in prompt tokens; an engine without a prefix cache exposes neither
            io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("vllm:prefix_cache_queries")
                    .help("Prefix cache queries, in terms of number of queried tokens.").labelNames("model_name")
                    .callback(cb -> cb.call(engine.prefixCache().orElseThrow().queriedTokens(), model))
                    .register(registry);
            io.prometheus.metrics.core.metrics.CounterWithCallback.builder().name("vllm:prefix_cache_hits")
                    .help("Prefix cache hits, in terms of number of cached tokens.").labelNames("model_name")
                    .callback(cb -> cb.call(engine.prefixCache().orElseThrow().hitTokens(), model))
                    .register(registry);
        }
        promptTokens = Counter.builder().name("vllm:prompt_tokens")
                .help("Number of prefill tokens processed.").labelNames("model_name").register(registry);
        generationTokens = Counter.builder().name("vllm:generation_tokens")
                .help("Number of generation tokens processed.").labelNames("model_name").register(registry);
        requestSuccess = Counter.builder().name("vllm:request_success")
                .help("Count of successfully processed requests.").labelNames("model_name", "finished_reason")
                .register(registry);
        ttft = Histogram.builder().name("vllm:time_to_first_token_seconds")
                .help("Histogram of time to first token in seconds.").labelNames("model_name")
                .classicOnly().classicUpperBounds(TTFT_BUCKETS).register(registry);
        itl = Histogram.builder().name("vllm:inter_token_latency_seconds")
                .help("Histogram of inter-token latency in seconds.").labelNames("model_name")
                .classicOnly().classicUpperBounds(ITL_BUCKETS).register(registry);
        e2e = Histogram.builder().name("vllm:e2e_request_latency_seconds")
                .help("Histogram of end to end request latency in seconds.").labelNames("model_name")
                .classicOnly().classicUpperBounds(E2E_BUCKETS).register(registry);
        registerTelemetry();
        // zero-valued series exist before the first request, as vLLM's do
        promptTokens.labelValues(model);
        generationTokens.labelValues(model);
    }

    void firstToken(double seconds) {
        ttft.labelValues(model).observe(seconds);
    }

    void interToken(double seconds) {
        itl.labelValues(model).observe(seconds);
    }

    void finished(String finishReason, int prompt, int generated, double e2eSeconds) {
        promptTokens.labelValues(model).inc(prompt);
        generationTokens.labelValues(model).inc(generated);
        requestSuccess.labelValues(model, finishReason).inc();
        e2e.labelValues(model).observe(e2eSeconds);
    }

    /** Tokens of requests that did not finish (cancelled, failed) still count as processed. */
    void aborted(int prompt, int generated) {
        promptTokens.labelValues(model).inc(prompt);
        generationTokens.labelValues(model).inc(generated);
    }

    private void registerTelemetry() {
        gpuGauge(DcgmExporter.GPU_UTIL, "GPU utilization (in %).", g -> g.utilisation() * 100);
        gpuGauge(DcgmExporter.FB_USED, "Framebuffer memory used (in MiB).", GpuSample::memoryUsedMiB);
        gpuGauge(DcgmExporter.FB_FREE, "Framebuffer memory free (in MiB).", GpuSample::memoryFreeMiB);
        gpuGauge(DcgmExporter.GPU_TEMP, "GPU temperature (in C).", GpuSample::temperatureC);
        gpuGauge(DcgmExporter.POWER_USAGE, "Power draw (in W).", GpuSample::powerW);
        hostGauge("flotilla_host_cpu_usage_ratio", "Fraction of all CPUs busy over the last interval, 0 to 1.",
                HostSample::cpuUsage);
        hostGauge("flotilla_host_memory_used_bytes", "Host physical memory in use (total minus available).",
                h -> h.memoryUsedBytes());
        hostGauge("flotilla_host_memory_total_bytes", "Host physical memory installed.", h -> h.memoryTotalBytes());
        hostGauge("flotilla_host_load1", "Host one-minute load average.", HostSample::load1);
    }

    private void gpuGauge(String name, String help, ToDoubleFunction<GpuSample> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames(DcgmExporter.GPU_LABEL, DcgmExporter.MODEL_LABEL)
                .callback(cb -> {
                    TelemetrySample t = current;
                    if (t == null) {
                        return;
                    }
                    for (GpuSample g : t.gpus()) {
                        double v = value.applyAsDouble(g);
                        if (!Double.isNaN(v)) {
                            cb.call(v, Integer.toString(g.index()), g.name());
                        }
                    }
                }).register(registry);
    }

    private void hostGauge(String name, String help, ToDoubleFunction<HostSample> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            TelemetrySample t = current;
            if (t != null) {
                double v = value.applyAsDouble(t.host());
                if (!Double.isNaN(v)) {
                    cb.call(v);
                }
            }
        }).register(registry);
    }

    /** Renders every metric; reads the hardware first, so call it from a worker thread. */
    synchronized String scrape() {
        current = telemetry.sample();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    String contentType() {
        return writer.getContentType();
    }
}
