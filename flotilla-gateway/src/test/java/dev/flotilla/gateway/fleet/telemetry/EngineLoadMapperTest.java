package dev.flotilla.gateway.fleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.flotilla.protocol.PrometheusText;
import dev.flotilla.protocol.PrometheusText.Exposition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each engine's table on a recorded exposition text (test resources under telemetry/). */
class EngineLoadMapperTest {
    private static final double NAN = Double.NaN;

    static Exposition recorded(String file) {
        try (InputStream in = EngineLoadMapperTest.class.getResourceAsStream("/telemetry/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource telemetry/" + file);
            }
            // strict: a recorded text with a typo would make these tests prove nothing
            return PrometheusText.parseStrict(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read telemetry/" + file, e);
        }
    }

    static Stream<Arguments> recordedTexts() {
        return Stream.of(
                arguments(named("Flotilla node, two models", "flotilla.prom"), EngineKind.FLOTILLA,
                        new EngineLoad(8, 3, 0.375, 6000, 93026, 6512.5)),
                arguments(named("vLLM V1 engine", "vllm-v1.prom"), EngineKind.VLLM,
                        new EngineLoad(12, 4, 0.6813, 402211, 151034, NAN)),
                arguments(named("vLLM V0 engine (gpu_cache_usage_perc)", "vllm-v0.prom"), EngineKind.VLLM,
                        new EngineLoad(5, 1, 0.25, 9876, 5432, NAN)),
                arguments(named("SGLang", "sglang.prom"), EngineKind.SGLANG,
                        new EngineLoad(162, 2826, 0.28, 8.128902e6, 7.557572e6, 86.50814177726902)),
                arguments(named("llama.cpp server", "llamacpp.prom"), EngineKind.LLAMA_CPP,
                        new EngineLoad(3, 7, 0.42, 33065, 7801, NAN)),
                arguments(named("TGI", "tgi.prom"), EngineKind.TGI,
                        new EngineLoad(24, 9, NAN, 215400, 190001, NAN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordedTexts")
    void read_recordedText_mapsEveryFieldOfTheTable(String file, EngineKind kind, EngineLoad expected) {
        NodeLoad load = EngineLoadMapper.forKind(kind).read(recorded(file));

        assertThat(load.kind()).isEqualTo(kind);
        assertSameLoad(load.total(), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordedTexts")
    void detect_recordedText_guessesTheEngine(String file, EngineKind kind, EngineLoad expected) {
        assertThat(EngineKind.detect(recorded(file))).contains(kind);
        assertThat(EngineLoadMapper.readDetected(recorded(file))).hasValueSatisfying(load -> {
            assertThat(load.kind()).isEqualTo(kind);
            assertSameLoad(load.total(), expected);
        });
    }

    @Test
    void detect_noEngineMetrics_isEmpty() {
        Exposition plain = PrometheusText.parseStrict("process_cpu_seconds_total 1\nup 1\n");

        assertThat(EngineKind.detect(plain)).isEmpty();
        assertThat(EngineLoadMapper.readDetected(plain)).isEmpty();
    }

    @Test
    void read_twoModelsOnOneNode_sumsCountsKeepsFullestCacheAndKeepsPerModelFigures() {
        NodeLoad load = EngineLoadMapper.forKind(EngineKind.FLOTILLA).read(recorded("flotilla.prom"));

        assertThat(load.byModel()).containsOnlyKeys("sim-llama-2-7b", "stories260K");
        assertSameLoad(load.byModel().get("sim-llama-2-7b"), new EngineLoad(6, 3, 0.375, 5120, 2816, 412.5));
        assertSameLoad(load.byModel().get("stories260K"), new EngineLoad(2, 0, 0.125, 880, 90210, 6100));
        assertThat(load.total().running()).isEqualTo(8);
        assertThat(load.total().kvCacheUsage()).as("max, not sum, of two caches").isEqualTo(0.375);
    }

    @Test
    void read_vllmWithExtraEngineLabel_keysByModelName() {
        NodeLoad load = EngineLoadMapper.forKind(EngineKind.VLLM).read(recorded("vllm-v1.prom"));

        assertThat(load.byModel()).containsOnlyKeys("meta-llama/Llama-3.1-8B-Instruct");
        assertThat(load.byModel().get("meta-llama/Llama-3.1-8B-Instruct").waiting()).isEqualTo(4);
    }

    @Test
    void read_vllmWithBothCacheNames_prefersTheNewName() {
        Exposition both = PrometheusText.parseStrict("""
                vllm:gpu_cache_usage_perc{model_name="m"} 0.9
                vllm:kv_cache_usage_perc{model_name="m"} 0.2
                """);

        assertThat(EngineLoadMapper.forKind(EngineKind.VLLM).read(both).total().kvCacheUsage()).isEqualTo(0.2);
    }

    @Test
    void read_llamaCppBuildWithoutKvGauge_reportsKvCacheAsNaNNotZero() {
        Exposition recent = PrometheusText.parseStrict("""
                # TYPE llamacpp:requests_processing gauge
                llamacpp:requests_processing 0
                # TYPE llamacpp:requests_deferred gauge
                llamacpp:requests_deferred 0
                """);

        EngineLoad load = EngineLoadMapper.forKind(EngineKind.LLAMA_CPP).read(recent).total();

        assertThat(load.running()).isZero();
        assertThat(load.reports(LoadField.RUNNING)).isTrue();
        assertThat(load.reports(LoadField.KV_CACHE_USAGE)).isFalse();
        assertThat(load.reports(LoadField.PROMPT_TOKENS_TOTAL)).isFalse();
    }

    @Test
    void read_nanSamples_areIgnoredRatherThanPoisoningTheSum() {
        Exposition text = PrometheusText.parseStrict("""
                sglang:num_running_reqs{model_name="a"} NaN
                sglang:num_running_reqs{model_name="b"} 4
                """);

        NodeLoad load = EngineLoadMapper.forKind(EngineKind.SGLANG).read(text);

        assertThat(load.total().running()).isEqualTo(4);
        assertThat(load.byModel()).containsOnlyKeys("b");
    }

    @Test
    void read_otherEnginesText_reportsNothing() {
        NodeLoad load = EngineLoadMapper.forKind(EngineKind.TGI).read(recorded("sglang.prom"));

        assertThat(Arrays.stream(LoadField.values()).filter(load.total()::reports)).isEmpty();
        assertThat(load.byModel()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void mappings_everyKind_coversQueueFieldsAndCitesItsSource(EngineKind kind) {
        EngineLoadMapper mapper = EngineLoadMapper.forKind(kind);

        assertThat(mapper.kind()).isEqualTo(kind);
        assertThat(mapper.mappings()).extracting(EngineLoadMapper.Mapping::field)
                .contains(LoadField.RUNNING, LoadField.WAITING, LoadField.GENERATION_TOKENS_TOTAL)
                .doesNotHaveDuplicates();
        assertThat(mapper.mappings()).allSatisfy(m -> {
            assertThat(m.meaning()).contains(";");
            assertThat(m.metrics()).allMatch(PrometheusText::isValidMetricName);
        });
    }

    private static void assertSameLoad(EngineLoad actual, EngineLoad expected) {
        for (LoadField field : LoadField.values()) {
            double want = expected.get(field);
            if (Double.isNaN(want)) {
                assertThat(actual.get(field)).as(field.name()).isNaN();
            } else {
                assertThat(actual.get(field)).as(field.name()).isCloseTo(want, within(1e-9));
            }
        }
    }
}
