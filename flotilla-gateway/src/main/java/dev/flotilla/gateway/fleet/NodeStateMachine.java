package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The health state of one node, driven by events: active checks, request outcomes, telemetry
 * freshness and the operator's drain. Pure apart from its own fields (time comes from the injected
 * clock); not thread-safe: the {@link NodeRegistry} calls it under the node's lock.
 *
 * <p>The underlying health is STARTING, HEALTHY, DEGRADED or UNHEALTHY; draining is a separate flag
 * set by the operator. The visible {@link #state()} is DRAINING while the flag is set, whatever the
 * health, and the health keeps being tracked so that {@link #up()} stays truthful and undraining
 * returns the node to its real health.
 */
final class NodeStateMachine {
    /** Most request outcomes kept for the error rate, so a flood of requests cannot grow memory. */
    static final int MAX_WINDOW_EVENTS = 10_000;

    private final String node;
    private final GatewayConfig.Health rules;
    private final Clock clock;
    private NodeState health = NodeState.STARTING;
    private boolean draining;
    private int checkFailures;
    private int checkSuccesses;
    private int requestFailures;
    private boolean stale;
    /** Judged a latency outlier by {@link LatencyOutliers}; the reason is kept for the transition. */
    private boolean slow;
    private String slowReason;
    /** Request outcomes in the window, oldest first. */
    private final ArrayDeque<Finished> window = new ArrayDeque<>();
    private int windowFailures;

    NodeStateMachine(String node, GatewayConfig.Health rules, Clock clock) {
        this.node = node;
        this.rules = rules;
        this.clock = clock;
    }

    /** The visible state: DRAINING while drained, else the health. */
    NodeState state() {
        return draining ? NodeState.DRAINING : health;
    }

    /** The health underneath a drain. */
    NodeState health() {
        return health;
    }

    /** Whether the node is passing its checks (healthy or degraded), drained or not. */
    boolean up() {
        return health.routable();
    }

    boolean draining() {
        return draining;
    }

    Optional<NodeTransition> checkSucceeded(DataState data) {
        return apply(() -> {
            checkFailures = 0;
            stale = data == DataState.STALE;
            switch (health) {
                case STARTING -> health = NodeState.HEALTHY;
                case UNHEALTHY -> {
                    checkSuccesses++;
                    if (checkSuccesses >= rules.healthyAfter()) {
                        health = NodeState.HEALTHY;
                        resetTraffic();
                    }
                }
                default -> { }
            }
            return degradeOrRecover("health check passed");
        }, "health check passed");
    }

    Optional<NodeTransition> checkFailed(String why) {
        return apply(() -> {
            checkSuccesses = 0;
            if (health.routable()) {
                checkFailures++;
                if (checkFailures >= rules.unhealthyAfter()) {
                    markUnhealthy();
                    return checkFailures + " consecutive failed health check(s): " + why;
                }
            }
            return null;
        }, null);
    }

    /** Opening a connection for a request failed: out of rotation at once (passive detection). */
    Optional<NodeTransition> connectionFailed(String why) {
        return apply(() -> {
            checkSuccesses = 0;
            if (health.routable()) {
                markUnhealthy();
                return "connection failed: " + why;
            }
            return null;
        }, null);
    }

    /** A request the node served ended; {@code failed} for 5xx, unreachable or timeout. */
    Optional<NodeTransition> requestFinished(boolean failed) {
        return apply(() -> {
            long now = clock.millis();
            window.addLast(new Finished(now, failed));
            if (failed) {
                windowFailures++;
            }
            if (window.size() > MAX_WINDOW_EVENTS) {
                dropOldest();
            }
            requestFailures = failed ? requestFailures + 1 : 0;
            if (health.routable() && requestFailures >= rules.passiveFailures()) {
                markUnhealthy();
                return requestFailures + " consecutive failed requests";
            }
            return degradeOrRecover(failed ? "request failed" : "request succeeded");
        }, null);
    }

    /** The telemetry's freshness changed (or was re-read). */
    Optional<NodeTransition> telemetry(DataState data) {
        return apply(() -> {
            stale = data == DataState.STALE;
            return degradeOrRecover("telemetry " + data.name().toLowerCase(java.util.Locale.ROOT));
        }, null);
    }

    /** The latency-outlier judgement was (re)evaluated. */
    Optional<NodeTransition> latency(LatencyOutliers.Verdict verdict) {
        return apply(() -> {
            slow = verdict instanceof LatencyOutliers.Verdict.Slow;
            slowReason = verdict.reason();
            return degradeOrRecover(verdict.reason());
        }, null);
    }

    /** Whether the node is currently judged a latency outlier (the hysteresis needs it). */
    boolean slow() {
        return slow;
    }

    Optional<NodeTransition> drain(boolean on) {
        return drain(on, on ? "drained by the admin API" : "undrained by the admin API");
    }

    /** Drains or undrains with this reason for the transition (a removal drains the node for good). */
    Optional<NodeTransition> drain(boolean on, String reason) {
        return apply(() -> {
            draining = on;
            return reason;
        }, null);
    }

    /** The error rate over the window, or NaN when fewer than the minimum requests were seen. */
    double errorRate() {
        prune(clock.millis());
        return window.size() < rules.errorRateMinRequests() ? Double.NaN : (double) windowFailures / window.size();
    }

    private record Finished(long atMillis, boolean failed) {
    }

    private interface Change {
        /** Applies the event; returns the reason for a state change, or null to use the default. */
        String run();
    }

    private Optional<NodeTransition> apply(Change change, String defaultReason) {
        NodeState before = state();
        String reason = change.run();
        NodeState after = state();
        if (before == after) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return Optional.of(new NodeTransition(node, before, after, reason == null ? defaultReason : reason, now));
    }

    private String degradeOrRecover(String fallback) {
        if (!health.routable()) {
            return fallback;
        }
        double rate = errorRate();
        boolean erroring = !Double.isNaN(rate) && rate > rules.degradedErrorRate();
        if (stale || erroring || slow) {
            NodeState was = health;
            health = NodeState.DEGRADED;
            if (was != NodeState.DEGRADED) {
                return stale ? "telemetry stale" : erroring ? String.format(java.util.Locale.ROOT,
                        "error rate %.2f over %s above %.2f", rate, rules.errorRateWindow(), rules.degradedErrorRate())
                        : slowReason;
            }
        } else if (health == NodeState.DEGRADED) {
            health = NodeState.HEALTHY;
            return "telemetry fresh, error rate and latency within bounds";
        }
        return fallback;
    }

    private void markUnhealthy() {
        health = NodeState.UNHEALTHY;
        checkSuccesses = 0;
    }

    /** A node back from unhealthy starts with a clean slate: old errors do not degrade it again. */
    private void resetTraffic() {
        requestFailures = 0;
        slow = false;
        window.clear();
        windowFailures = 0;
    }

    private void prune(long now) {
        long oldest = now - rules.errorRateWindow().toMillis();
        while (!window.isEmpty() && window.peekFirst().atMillis() < oldest) {
            dropOldest();
        }
    }

    private void dropOldest() {
        if (window.removeFirst().failed()) {
            windowFailures--;
        }
    }
}
