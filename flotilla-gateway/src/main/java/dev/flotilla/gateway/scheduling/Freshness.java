package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a node's telemetry is {@link DataState#FRESH} at a time: the rule of
 * {@link TelemetrySnapshot#state(Instant)} (age not above {@code staleAfter}) in primitive
 * arithmetic, because the scorers ask it for every candidate of every decision and the
 * {@link Duration} the snapshot builds per call was a measurable part of a decision.
 */
final class Freshness {
    private Freshness() {
    }

    static boolean fresh(NodeSnapshot node, Instant now) {
        TelemetrySnapshot t = node.telemetry();
        Instant scraped = t.scrapedAt();
        if (scraped == null) {
            return false;
        }
        Duration staleAfter = t.staleAfter();
        // age = now - scraped as (seconds, nanos in 0..999,999,999), as Duration.between normalises it
        long seconds = now.getEpochSecond() - scraped.getEpochSecond();
        int nanos = now.getNano() - scraped.getNano();
        if (nanos < 0) {
            nanos += 1_000_000_000;
            seconds--;
        }
        long limit = staleAfter.getSeconds();
        return seconds < limit || seconds == limit && nanos <= staleAfter.getNano();
    }
}
