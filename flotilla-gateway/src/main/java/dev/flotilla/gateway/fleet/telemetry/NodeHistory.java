package dev.flotilla.gateway.fleet.telemetry;

import java.util.EnumMap;
import java.util.Map;

/**
 * The recent history of one node: one {@link SeriesRing} per {@link HistoryMetric}, all of the
 * same capacity (history / scrape interval). Memory is bounded: 16 bytes per point per metric.
 */
public final class NodeHistory {
    private final Map<HistoryMetric, SeriesRing> series = new EnumMap<>(HistoryMetric.class);

    public NodeHistory(int capacity) {
        for (HistoryMetric m : HistoryMetric.values()) {
            series.put(m, new SeriesRing(capacity));
        }
    }

    /** Records every known figure of a successful scrape at its time; unknown (NaN) figures add no point. */
    public void record(TelemetrySnapshot snapshot) {
        if (snapshot.scrapedAt() == null) {
            return;
        }
        long t = snapshot.scrapedAt().toEpochMilli();
        for (HistoryMetric m : HistoryMetric.values()) {
            double v = m.of(snapshot);
            if (!Double.isNaN(v) && !Double.isInfinite(v)) {
                series.get(m).append(t, v);
            }
        }
    }

    public SeriesRing series(HistoryMetric metric) {
        return series.get(metric);
    }
}
