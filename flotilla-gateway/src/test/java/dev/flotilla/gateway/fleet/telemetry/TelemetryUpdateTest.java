package dev.flotilla.gateway.fleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.protocol.PrometheusText;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TelemetryUpdateTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration STALE = Duration.ofSeconds(2);

    /** A Flotilla node's exposition with two GPUs and the host series. */
    static String node(int running, double generated, double prompt) {
        return """
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="m"} %d
                vllm:num_requests_waiting{model_name="m"} 2
                vllm:kv_cache_usage_perc{model_name="m"} 0.25
                vllm:prompt_tokens_total{model_name="m"} %s
                vllm:generation_tokens_total{model_name="m"} %s
                flotilla:generation_tokens_per_second{model_name="m"} 40
                DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="H100"} 80
                DCGM_FI_DEV_FB_USED{gpu="0",modelName="H100"} 1024
                DCGM_FI_DEV_FB_FREE{gpu="0",modelName="H100"} 3072
                DCGM_FI_DEV_GPU_TEMP{gpu="0",modelName="H100"} 60
                DCGM_FI_DEV_POWER_USAGE{gpu="0",modelName="H100"} 300
                DCGM_FI_DEV_GPU_UTIL{gpu="1",modelName="H100"} 40
                DCGM_FI_DEV_FB_USED{gpu="1",modelName="H100"} 2048
                DCGM_FI_DEV_GPU_TEMP{gpu="1",modelName="H100"} 50
                DCGM_FI_DEV_POWER_USAGE{gpu="1",modelName="H100"} 100
                flotilla_host_cpu_usage_ratio 0.5
                flotilla_host_memory_used_bytes 4e9
                flotilla_host_memory_total_bytes 16e9
                flotilla_host_load1 1.5
                """.formatted(running, prompt, generated);
    }

    private static TelemetrySnapshot scrape(TelemetrySnapshot previous, String text, Instant at) {
        return TelemetryUpdate.apply(previous, PrometheusText.parseLenient(text), at);
    }

    @Test
    void apply_firstScrape_readsLoadGpusHostAndNoRateYet() {
        TelemetrySnapshot t = scrape(TelemetrySnapshot.noData(STALE), node(3, 100, 50), T0);

        assertThat(t.kind()).isEqualTo(EngineKind.FLOTILLA);
        assertThat(t.load().running()).isEqualTo(3);
        assertThat(t.load().waiting()).isEqualTo(2);
        assertThat(t.load().kvCacheUsage()).isEqualTo(0.25);
        assertThat(t.generationTokensPerSecond()).isNaN();
        assertThat(t.gpus()).containsExactly(
                new GpuFigures("0", "H100", 0.8, 1024 * 1048576.0, 4096 * 1048576.0, 60, 300),
                new GpuFigures("1", "H100", 0.4, 2048 * 1048576.0, Double.NaN, 50, 100));
        assertThat(t.host()).isEqualTo(new HostFigures(0.5, 4e9, 16e9, 1.5));
        assertThat(t.scrapedAt()).isEqualTo(T0);
        assertThat(t.lastError()).isNull();
    }

    @Test
    void apply_secondScrape_derivesTokenRatesFromCounters() {
        TelemetrySnapshot first = scrape(TelemetrySnapshot.noData(STALE), node(1, 100, 50), T0);
        TelemetrySnapshot second = scrape(first, node(1, 150, 250), T0.plusMillis(500));

        assertThat(second.generationTokensPerSecond()).isCloseTo(100.0, within(1e-9));
        assertThat(second.promptTokensPerSecond()).isCloseTo(400.0, within(1e-9));
    }

    @Test
    void apply_counterReset_countsFromZeroInsteadOfNegativeRate() {
        TelemetrySnapshot first = scrape(TelemetrySnapshot.noData(STALE), node(1, 10_000, 50), T0);
        TelemetrySnapshot afterRestart = scrape(first, node(0, 20, 50), T0.plusSeconds(1));

        assertThat(afterRestart.generationTokensPerSecond()).isEqualTo(20.0);
    }

    @Test
    void apply_textOfNoKnownEngine_keepsHardwareAndUnknownLoad() {
        TelemetrySnapshot t = scrape(TelemetrySnapshot.noData(STALE), "flotilla_host_cpu_usage_ratio 0.25\n", T0);

        assertThat(t.kind()).isNull();
        assertThat(t.load()).isEqualTo(EngineLoad.UNKNOWN);
        assertThat(t.host().cpuUsage()).isEqualTo(0.25);
        assertThat(t.gpus()).isEmpty();
        assertThat(t.state(T0)).isEqualTo(DataState.FRESH);
    }

    @Test
    void apply_engineReplacedByAnother_detectsTheNewKind() {
        TelemetrySnapshot first = scrape(TelemetrySnapshot.noData(STALE), node(1, 1, 1), T0);
        TelemetrySnapshot second = scrape(first, "sglang:num_running_reqs 4\nsglang:num_queue_reqs 1\n", T0.plusSeconds(1));

        assertThat(second.kind()).isEqualTo(EngineKind.SGLANG);
        assertThat(second.load().running()).isEqualTo(4);
        assertThat(second.generationTokensPerSecond()).isNaN();
    }

    @Test
    void failed_afterGoodScrape_keepsFiguresAndRecordsError() {
        TelemetrySnapshot good = scrape(TelemetrySnapshot.noData(STALE), node(2, 1, 1), T0);
        TelemetrySnapshot failed = good.failed("scrape of /metrics: timeout");

        assertThat(failed.load()).isEqualTo(good.load());
        assertThat(failed.scrapedAt()).isEqualTo(T0);
        assertThat(failed.lastError()).isEqualTo("scrape of /metrics: timeout");
    }

    static Stream<Arguments> states() {
        TelemetrySnapshot scraped = scrape(TelemetrySnapshot.noData(STALE), node(0, 0, 0), T0);
        return Stream.of(
                Arguments.of(Named.of("never scraped", TelemetrySnapshot.noData(STALE)), T0, DataState.NO_DATA, -1L),
                Arguments.of(Named.of("never scraped, failed", TelemetrySnapshot.noData(STALE).failed("x")), T0,
                        DataState.NO_DATA, -1L),
                Arguments.of(Named.of("just scraped, idle", scraped), T0, DataState.FRESH, 0L),
                Arguments.of(Named.of("at the stale bound", scraped), T0.plus(STALE), DataState.FRESH, 2000L),
                Arguments.of(Named.of("past the stale bound", scraped), T0.plus(STALE).plusMillis(1), DataState.STALE, 2001L),
                Arguments.of(Named.of("past the bound after a failure", scraped.failed("refused")), T0.plusSeconds(10),
                        DataState.STALE, 10_000L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("states")
    void state_byAgeOfLastGoodScrape_tellsNoDataFreshStale(TelemetrySnapshot t, Instant now, DataState expected, long age) {
        assertThat(t.state(now)).isEqualTo(expected);
        assertThat(t.ageMillis(now)).isEqualTo(age);
    }

    @Test
    void state_idleNodeVersusNoData_areDistinguishable() {
        TelemetrySnapshot idle = scrape(TelemetrySnapshot.noData(STALE), node(0, 0, 0), T0);
        assertThat(idle.load().running()).isZero();
        assertThat(idle.state(T0)).isEqualTo(DataState.FRESH);
        assertThat(TelemetrySnapshot.noData(STALE).load().running()).isNaN();
    }

    @Test
    void counterRate_unknownReadingOrNoTime_isNaN() {
        assertThat(CounterRate.perSecond(Double.NaN, 0, 5, 1000)).isNaN();
        assertThat(CounterRate.perSecond(1, 1000, 5, 1000)).isNaN();
        assertThat(CounterRate.perSecond(1, 0, 5, 2000)).isEqualTo(2.0);
    }

    @Test
    void gpuFigures_emptyExposition_noGpus() {
        assertThat(HardwareReader.gpus(PrometheusText.parseLenient(""))).isEqualTo(List.of());
        assertThat(HardwareReader.host(PrometheusText.parseLenient(""))).isEqualTo(HostFigures.UNKNOWN);
    }
}
