package dev.flotilla.gateway.fleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.protocol.PrometheusText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class NodeHistoryTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        private Instant now = T0;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void record_scrapesEveryInterval_keepsCapacityPointsPerMetricAtScrapeTimes() {
        ManualClock clock = new ManualClock();
        NodeHistory history = new NodeHistory(4);
        TelemetrySnapshot t = TelemetrySnapshot.noData(Duration.ofSeconds(2));
        for (int i = 0; i < 6; i++) {
            t = TelemetryUpdate.apply(t, PrometheusText.parseLenient(
                    TelemetryUpdateTest.node(i, 100.0 * i, 0)), clock.instant());
            history.record(t);
            clock.advance(Duration.ofMillis(500));
        }
        SeriesRing.Points running = history.series(HistoryMetric.RUNNING).since(Long.MIN_VALUE);
        assertThat(running.values()).containsExactly(2, 3, 4, 5);
        assertThat(running.times()).containsExactly(T0.plusMillis(1000).toEpochMilli(), T0.plusMillis(1500).toEpochMilli(),
                T0.plusMillis(2000).toEpochMilli(), T0.plusMillis(2500).toEpochMilli());
        // 100 tokens per 500 ms
        assertThat(history.series(HistoryMetric.TOKENS_PER_SECOND).since(Long.MIN_VALUE).values()).containsOnly(200.0);
        assertThat(history.series(HistoryMetric.RUNNING).since(T0.plusMillis(2000).toEpochMilli()).values())
                .containsExactly(4, 5);
    }

    @Test
    void record_severalGpus_meanUtilisationAndTemperatureSumMemoryAndPower() {
        NodeHistory history = new NodeHistory(10);
        history.record(TelemetryUpdate.apply(TelemetrySnapshot.noData(Duration.ofSeconds(2)),
                PrometheusText.parseLenient(TelemetryUpdateTest.node(1, 0, 0)), T0));
        assertThat(only(history, HistoryMetric.GPU_UTILISATION)).isCloseTo(0.6, within(1e-9));
        assertThat(only(history, HistoryMetric.GPU_TEMPERATURE)).isEqualTo(55.0);
        assertThat(only(history, HistoryMetric.GPU_MEMORY_USED)).isEqualTo(3072 * 1048576.0);
        assertThat(only(history, HistoryMetric.GPU_POWER)).isEqualTo(400.0);
        assertThat(only(history, HistoryMetric.HOST_CPU)).isEqualTo(0.5);
        assertThat(only(history, HistoryMetric.HOST_MEMORY_USED)).isEqualTo(4e9);
        assertThat(only(history, HistoryMetric.KV_CACHE_USAGE)).isEqualTo(0.25);
        // no rate at the first scrape: no point rather than a NaN one
        assertThat(history.series(HistoryMetric.TOKENS_PER_SECOND).size()).isZero();
    }

    @Test
    void record_noDataSnapshot_addsNothing() {
        NodeHistory history = new NodeHistory(10);
        history.record(TelemetrySnapshot.noData(Duration.ofSeconds(2)).failed("refused"));
        for (HistoryMetric m : HistoryMetric.values()) {
            assertThat(history.series(m).size()).as(m.wireName()).isZero();
        }
    }

    private static double only(NodeHistory history, HistoryMetric metric) {
        SeriesRing.Points p = history.series(metric).since(Long.MIN_VALUE);
        assertThat(p.size()).as(metric.wireName()).isEqualTo(1);
        return p.values()[0];
    }
}
