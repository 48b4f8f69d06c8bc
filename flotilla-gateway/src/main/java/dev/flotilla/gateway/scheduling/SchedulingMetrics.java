package dev.flotilla.gateway.scheduling;

/**
 * Where the scheduling engine records how long each plugin took. The gateway's implementation
 * feeds Micrometer timers; the simulator and benchmarks use {@link #noop()}. Timers are resolved
 * once per plugin place when a profile is built, so a decision records without map look-ups.
 */
public interface SchedulingMetrics {

    /** The timer of one plugin place: {@code kind} is filter, scorer or picker, {@code place} its index. */
    PluginTimer timer(String profile, String kind, String type, int place);

    /** Records the durations of one plugin place. Thread-safe. */
    @FunctionalInterface
    interface PluginTimer {
        void record(long nanos);
    }

    /** Records nothing. */
    static SchedulingMetrics noop() {
        PluginTimer none = nanos -> { };
        return (profile, kind, type, place) -> none;
    }
}
