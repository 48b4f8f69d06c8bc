package dev.flotilla.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BenchReportTest {
    private static final long MS = 1_000_000L;

    /** 100 requests: TTFT i ms, 11 tokens 2 ms apart (TPOT and every ITL 2 ms), sent i*10 ms into the run. */
    private static Measurements handMade() {
        Measurements m = new Measurements();
        for (int i = 1; i <= 100; i++) {
            long[] itls = new long[10];
            java.util.Arrays.fill(itls, 2 * MS);
            m.add(new RequestResult.Completed("r" + i, "t", i * 10 * MS, i * MS, i * MS + 20 * MS, 50, 11, true), itls);
        }
        return m;
    }

    private static final double PRECISION = 0.001; // HdrHistogram keeps 3 significant digits

    @Test
    void of_handMadeSample_percentilesMeanAndMax() {
        BenchReport r = BenchReport.of(handMade(), 4.0, Slo.NONE, Map.of());

        assertThat(r.completed()).isEqualTo(100);
        assertThat(r.ttft().count()).isEqualTo(100);
        assertThat(r.ttft().mean()).isCloseTo(50.5, within(1e-9));
        assertThat(r.ttft().std()).isCloseTo(Math.sqrt((100 * 100 - 1) / 12.0), within(1e-6));
        assertThat(r.ttft().p50()).isCloseTo(50, within(50 * PRECISION));
        assertThat(r.ttft().median()).isEqualTo(r.ttft().p50());
        assertThat(r.ttft().p90()).isCloseTo(90, within(90 * PRECISION));
        assertThat(r.ttft().p95()).isCloseTo(95, within(95 * PRECISION));
        assertThat(r.ttft().p99()).isCloseTo(99, within(99 * PRECISION));
        assertThat(r.ttft().max()).isEqualTo(100);
        assertThat(r.e2el().p50()).isCloseTo(70, within(70 * PRECISION));
        assertThat(r.tpot().mean()).isCloseTo(2, within(1e-9));
        assertThat(r.itl().count()).isEqualTo(1000);
        assertThat(r.itl().p99()).isCloseTo(2, within(2 * PRECISION));
    }

    @Test
    void of_throughputs_areTotalsOverDuration() {
        BenchReport r = BenchReport.of(handMade(), 4.0, Slo.NONE, Map.of());

        assertThat(r.requestThroughput()).isEqualTo(100 / 4.0);
        assertThat(r.totalOutputTokens()).isEqualTo(1100);
        assertThat(r.totalInputTokens()).isEqualTo(5000);
        assertThat(r.outputThroughput()).isEqualTo(1100 / 4.0);
        assertThat(r.totalTokenThroughput()).isEqualTo(6100 / 4.0);
        assertThat(r.requestGoodput()).isNull();
        assertThat(r.goodputRatio()).isNull();
    }

    @Test
    void of_slo_goodputCountsRequestsMeetingEveryObjectiveAndFailedNever() {
        Measurements m = handMade();
        for (int i = 0; i < 25; i++) {
            m.add(new RequestResult.Failed("f" + i, "t", 0, 5 * MS, ErrorKind.HTTP_5XX, 503, "no node"));
        }
        BenchReport ttftOnly = BenchReport.of(m, 5.0, new Slo(40.0, null, null), Map.of());
        BenchReport both = BenchReport.of(m, 5.0, new Slo(40.0, 1.5, null), Map.of());
        BenchReport e2el = BenchReport.of(m, 5.0, new Slo(null, null, 30.0), Map.of());

        assertThat(ttftOnly.goodCompleted()).isEqualTo(40);
        assertThat(ttftOnly.requestGoodput()).isEqualTo(40 / 5.0);
        assertThat(ttftOnly.goodputRatio()).isEqualTo(40 / 125.0).isLessThanOrEqualTo(1.0);
        assertThat(both.goodCompleted()).isZero(); // every TPOT is 2 ms > 1.5 ms
        assertThat(e2el.goodCompleted()).isEqualTo(10); // e2el = i + 20 ms <= 30 for i <= 10
        assertThat(ttftOnly.errorCounts()).containsExactly(Map.entry("http_5xx", 25L));
        assertThat(ttftOnly.httpStatuses()).containsExactly(Map.entry(503, 25L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(nullValues = "-", value = {
            "within all, 10, 3, 40, true",
            "TTFT over, 9.9, -, -, false",
            "TPOT over, -, 2.9, -, false",
            "E2E over, -, -, 39.9, false",
            "exactly at the objectives, 10, 3, 40, true",
    })
    void met_eachObjective_comparesItsOwnFigure(String name, Double ttft, Double itl, Double e2el, boolean met) {
        // TTFT 10 ms, 11 tokens over 30 more ms: TPOT 3 ms, E2E 40 ms
        var r = new RequestResult.Completed("r", "t", 0, 10 * MS, 40 * MS, 1, 11, true);

        assertThat(new Slo(ttft, itl, e2el).met(r)).isEqualTo(met);
    }

    @Test
    void tpot_oneToken_isZeroAsInVllm() {
        assertThat(new RequestResult.Completed("r", "t", 0, 10 * MS, 40 * MS, 1, 1, true).tpotNanos()).isZero();
    }

    @Test
    void toJson_vllmFieldNamesAndConsistentValues() {
        Measurements m = handMade();
        m.add(new RequestResult.Failed("x", "t", 0, 0, ErrorKind.CLIENT_BACKLOG, 0, "bound reached"));
        Map<String, Object> j = BenchReport.of(m, 2.0, new Slo(60.0, null, null), Map.of("mode", "rate")).toJson();

        assertThat(j).containsKeys("mode", "duration", "completed", "failed", "total_input_tokens", "total_output_tokens",
                "request_throughput", "request_goodput", "output_throughput", "total_token_throughput", "mean_ttft_ms",
                "median_ttft_ms", "std_ttft_ms", "p50_ttft_ms", "p90_ttft_ms", "p95_ttft_ms", "p99_ttft_ms", "max_ttft_ms",
                "mean_tpot_ms", "p99_tpot_ms", "mean_itl_ms", "p99_itl_ms", "mean_e2el_ms", "p99_e2el_ms", "errors");
        assertThat(List.copyOf(j.keySet()).getFirst()).isEqualTo("mode");
        assertThat((double) j.get("request_throughput")).isEqualTo(100 / 2.0);
        assertThat((double) j.get("request_goodput")).isEqualTo(60 / 2.0);
        assertThat((double) j.get("goodput_ratio")).isEqualTo(60 / 101.0);
        assertThat(j.get("errors")).isEqualTo(Map.of("client_backlog", 1L));
    }

    @Test
    void timeline_runLongerThanTheFirstArrays_growsAndKeepsCounts() {
        Measurements m = new Measurements();
        for (int i = 0; i < 200; i++) {
            m.add(new RequestResult.Completed("r" + i, "t", i * 100 * MS, 10 * MS, 20 * MS, 1, 2, true), new long[] {10 * MS});
        }

        List<Timeline.Point> points = m.timeline().points(1);
        assertThat(points).hasSize(200);
        assertThat(points).extracting(Timeline.Point::tokensPerSecond).containsOnly(20.0);
        assertThat(points).extracting(Timeline.Point::inFlight).containsOnly(0.0);
    }

    @Test
    void timeline_pointsGiveRatesAndInFlight() {
        Measurements m = new Measurements();
        // two requests sent at 0 and 50 ms, each 3 tokens 100 ms apart, ending at 250 and 300 ms
        m.add(new RequestResult.Completed("a", "t", 0, 50 * MS, 250 * MS, 1, 3, true), new long[] {100 * MS, 100 * MS});
        m.add(new RequestResult.Completed("b", "t", 50 * MS, 50 * MS, 250 * MS, 1, 3, true), new long[] {100 * MS, 100 * MS});

        List<Timeline.Point> points = m.timeline().points(1);
        assertThat(points).hasSize(4);
        assertThat(points).extracting(Timeline.Point::inFlight).containsExactly(2.0, 2.0, 1.0, 0.0);
        assertThat(points).extracting(Timeline.Point::tokensPerSecond).containsExactly(10.0, 20.0, 20.0, 10.0);
        assertThat(points).extracting(Timeline.Point::completedPerSecond).containsExactly(0.0, 0.0, 10.0, 10.0);
        assertThat(m.timeline().points(2)).extracting(Timeline.Point::tokensPerSecond).containsExactly(15.0, 15.0);
    }
}
