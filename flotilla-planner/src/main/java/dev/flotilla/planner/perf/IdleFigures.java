package dev.flotilla.planner.perf;

/**
 * What Inferno reports for replicas kept for a server that has no traffic: ITL and TTFT of a lone
 * request (ms) and a nominal maximum rate per replica (requests/ms).
 */
public record IdleFigures(double itl, double ttft, double maxRatePerMs) {
}
