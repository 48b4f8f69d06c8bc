package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One Resilience4j circuit breaker per node, fed by the outcomes of real requests (5xx, timeouts
 * and unreachable are failures; a node's 4xx is a success: the client's fault). An open circuit
 * takes the node out of the candidates like an unhealthy state does; after {@code openFor} it is
 * half-open and lets {@code halfOpenRequests} real requests through, whose outcomes close or
 * reopen it. Shared by all event loops (the breakers are thread-safe). Count-based window, so the
 * breaker needs no timer of its own; the open-state wait reads the injected clock.
 */
public final class NodeCircuits {
    private final CircuitBreakerConfig config;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final BiConsumer<String, String> onTransition;

    /** @param onTransition told (node, new state label) at every state change, e.g. to count it in metrics */
    public NodeCircuits(GatewayConfig.Circuit circuit, Clock clock, BiConsumer<String, String> onTransition) {
        this.config = CircuitBreakerConfig.custom()
                .failureRateThreshold((float) circuit.failureRateThreshold())
                .slidingWindow(circuit.windowSize(), circuit.minimumRequests(),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(circuit.openFor())
                .permittedNumberOfCallsInHalfOpenState(circuit.halfOpenRequests())
                .clock(clock)
                .build();
        this.onTransition = onTransition;
    }

    private CircuitBreaker breaker(String node) {
        return breakers.computeIfAbsent(node, n -> {
            CircuitBreaker b = CircuitBreaker.of(n, config);
            b.getEventPublisher().onStateTransition(e ->
                    onTransition.accept(n, label(e.getStateTransition().getToState())));
            return b;
        });
    }

    /**
     * Asks to send one request to the node: true when its circuit is closed, or half-open with a
     * probe left (an open circuit whose wait is over turns half-open here). A true answer must be
     * followed by exactly one of {@link #success}, {@link #failure} or {@link #release}.
     */
    public boolean tryAcquire(String node) {
        return breaker(node).tryAcquirePermission();
    }

    /** Gives back a permission that was not used (the node was not picked, or the request was cancelled). */
    public void release(String node) {
        breaker(node).releasePermission();
    }

    public void success(String node, long durationNanos) {
        breaker(node).onSuccess(durationNanos, TimeUnit.NANOSECONDS);
    }

    public void failure(String node, long durationNanos, Throwable cause) {
        breaker(node).onError(durationNanos, TimeUnit.NANOSECONDS, cause);
    }

    /** The node's circuit: {@code closed}, {@code open} or {@code half_open} ({@code closed} for a node never used). */
    public String state(String node) {
        CircuitBreaker b = breakers.get(node);
        return b == null ? "closed" : label(b.getState());
    }

    /** Forgets a node that left the fleet. */
    public void remove(String node) {
        breakers.remove(node);
    }

    static String label(CircuitBreaker.State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
