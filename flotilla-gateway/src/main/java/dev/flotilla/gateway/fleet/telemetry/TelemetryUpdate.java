package dev.flotilla.gateway.fleet.telemetry;

import dev.flotilla.protocol.PrometheusText.Exposition;
import java.time.Instant;
import java.util.Optional;

/**
 * Turns one successful scrape into a node's next {@link TelemetrySnapshot}: maps the engine
 * series with the table of the engine kind remembered from earlier scrapes (detected on the first
 * one, and again when the remembered table finds nothing, e.g. a different engine now answers),
 * reads the hardware series, and derives token rates from the counters of the previous snapshot.
 * Pure.
 */
public final class TelemetryUpdate {
    private TelemetryUpdate() {
    }

    public static TelemetrySnapshot apply(TelemetrySnapshot previous, Exposition exposition, Instant now) {
        NodeLoad load = read(previous.kind(), exposition).orElse(null);
        EngineLoad engine = load == null ? EngineLoad.UNKNOWN : load.total();
        double generationRate = Double.NaN;
        double promptRate = Double.NaN;
        if (previous.scrapedAt() != null && load != null && load.kind() == previous.kind()) {
            long before = previous.scrapedAt().toEpochMilli();
            long after = now.toEpochMilli();
            generationRate = CounterRate.perSecond(previous.load().generationTokensTotal(), before,
                    engine.generationTokensTotal(), after);
            promptRate = CounterRate.perSecond(previous.load().promptTokensTotal(), before,
                    engine.promptTokensTotal(), after);
        }
        return new TelemetrySnapshot(load == null ? null : load.kind(), engine, generationRate, promptRate,
                HardwareReader.gpus(exposition), HardwareReader.host(exposition), now, null, previous.staleAfter());
    }

    private static Optional<NodeLoad> read(EngineKind remembered, Exposition exposition) {
        if (remembered != null) {
            NodeLoad load = EngineLoadMapper.forKind(remembered).read(exposition);
            if (load.total().reports(LoadField.RUNNING) || load.total().reports(LoadField.WAITING)) {
                return Optional.of(load);
            }
        }
        return EngineLoadMapper.readDetected(exposition);
    }
}
