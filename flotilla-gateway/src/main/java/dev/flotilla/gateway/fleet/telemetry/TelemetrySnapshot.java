package dev.flotilla.gateway.fleet.telemetry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The latest telemetry of one node, replaced as a whole after every scrape (successful or not).
 * The figures are those of the last successful scrape; {@link #state(Instant)} says whether they
 * are worth anything. Unknown figures are NaN.
 *
 * @param kind                   the engine detected at the last successful scrape, or null
 * @param load                   the engine's figures ({@link EngineLoad#UNKNOWN} before any data)
 * @param generationTokensPerSecond generated tokens per second between the last two successful
 *                               scrapes (from the counter); NaN until two scrapes or when the
 *                               engine has no such counter
 * @param promptTokensPerSecond  prompt tokens per second, likewise
 * @param gpus                   per-GPU figures (empty when the node reports no GPU)
 * @param host                   host figures
 * @param scrapedAt              when the last successful scrape finished (gateway clock), or null
 * @param lastError              why the last scrape failed, or null when it succeeded
 * @param staleAfter             figures older than this are {@link DataState#STALE}
 */
public record TelemetrySnapshot(EngineKind kind, EngineLoad load, double generationTokensPerSecond,
                                double promptTokensPerSecond, List<GpuFigures> gpus, HostFigures host,
                                Instant scrapedAt, String lastError, Duration staleAfter) {

    public TelemetrySnapshot {
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(staleAfter, "staleAfter");
        gpus = List.copyOf(gpus);
    }

    /** No scrape has succeeded yet. */
    public static TelemetrySnapshot noData(Duration staleAfter) {
        return new TelemetrySnapshot(null, EngineLoad.UNKNOWN, Double.NaN, Double.NaN, List.of(), HostFigures.UNKNOWN,
                null, null, staleAfter);
    }

    /** NO_DATA, FRESH or STALE at this time. */
    public DataState state(Instant now) {
        if (scrapedAt == null) {
            return DataState.NO_DATA;
        }
        return Duration.between(scrapedAt, now).compareTo(staleAfter) > 0 ? DataState.STALE : DataState.FRESH;
    }

    /** Milliseconds since the last successful scrape, or -1 when there was none. */
    public long ageMillis(Instant now) {
        return scrapedAt == null ? -1 : Math.max(0, Duration.between(scrapedAt, now).toMillis());
    }

    /** The same figures after a failed scrape. */
    public TelemetrySnapshot failed(String error) {
        return new TelemetrySnapshot(kind, load, generationTokensPerSecond, promptTokensPerSecond, gpus, host,
                scrapedAt, error, staleAfter);
    }
}
