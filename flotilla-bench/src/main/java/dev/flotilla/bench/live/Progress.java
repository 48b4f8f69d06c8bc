package dev.flotilla.bench.live;

/**
 * A snapshot of a running benchmark for progress displays.
 *
 * @param plannedRequests requests the run will send at most, or -1 when only time bounds it
 * @param plannedSeconds  how long it sends at most, or NaN when only the count bounds it
 */
public record Progress(long sent, long completed, long failed, long inFlight, double elapsedSeconds,
                       long plannedRequests, double plannedSeconds) {
}
