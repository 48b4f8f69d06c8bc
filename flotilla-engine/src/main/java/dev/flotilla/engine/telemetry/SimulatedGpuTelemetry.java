package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Modelled figures of the one GPU behind a {@link SimulatedEngine}, so a simulated fleet shows the
 * same series as a real one. Time is the engine scheduler's clock, so a virtual-time engine gives
 * exact, repeatable figures. At each reading, over the interval since the previous one:
 * <ul>
 *   <li>utilisation = the fraction of the interval the engine spent in iterations (nvidia-smi's
 *       "a kernel was running"): any non-empty batch keeps the GPU busy;</li>
 *   <li>memory used = the reference model's weights + KV-cache in use (usage x capacity), at most the
 *       card's memory;</li>
 *   <li>temperature and power move toward {@code idle + (max - idle) * utilisation} with first-order
 *       lags: {@code x += (target - x) * (1 - exp(-dt / tau))}, exact for a load constant over the
 *       interval.</li>
 * </ul>
 * Readings closer together than the minimum interval return the previous one, so that utilisation
 * is never measured over a sliver of time. Safe from any thread.
 */
public final class SimulatedGpuTelemetry implements GpuTelemetry {
    /** Default minimum interval between readings (the fastest scrape the gateway allows). */
    public static final Duration DEFAULT_MIN_INTERVAL = Duration.ofMillis(100);

    private final Supplier<SimulatedEngine.Activity> activity;
    private final GpuThermals thermals;
    private final long memoryTotalBytes;
    private final long weightBytes;
    private final double kvCapacityBytes;
    private final long minIntervalNanos;
    // Guarded by this.
    private long lastNanos;
    private long lastBusyNanos;
    private double temperature;
    private double power;
    private GpuSample latest;

    SimulatedGpuTelemetry(Supplier<SimulatedEngine.Activity> activity, GpuThermals thermals, long memoryTotalBytes,
                          long weightBytes, double kvCapacityBytes, Duration minInterval) {
        this.activity = Objects.requireNonNull(activity, "activity");
        this.thermals = Objects.requireNonNull(thermals, "thermals");
        this.memoryTotalBytes = memoryTotalBytes;
        this.weightBytes = weightBytes;
        this.kvCapacityBytes = kvCapacityBytes;
        this.minIntervalNanos = minInterval.toNanos();
        SimulatedEngine.Activity start = activity.get();
        this.lastNanos = start.atNanos();
        this.lastBusyNanos = start.busyNanos();
        this.temperature = thermals.idleCelsius();
        this.power = thermals.idleWatts();
    }

    /** The modelled GPU of {@code engine}, with the figures of its profile ({@link GpuThermals#forProfile}). */
    public static SimulatedGpuTelemetry of(SimulatedEngine engine) {
        return of(engine, GpuThermals.forProfile(engine.profile()), DEFAULT_MIN_INTERVAL);
    }

    /**
     * The modelled GPU of {@code engine} with the given figures. Memory is the profile's memory; a
     * profile with none (the zero profile) reports memory as unknown.
     */
    public static SimulatedGpuTelemetry of(SimulatedEngine engine, GpuThermals thermals, Duration minInterval) {
        AcceleratorProfile p = engine.profile();
        boolean hasMemory = p.memoryGb() > 0;
        long total = hasMemory ? Math.round(p.memoryGb() * 1e9) : GpuSample.UNKNOWN_BYTES;
        return new SimulatedGpuTelemetry(engine::activity, thermals, total,
                hasMemory ? AcceleratorProfile.REFERENCE_WEIGHT_BYTES : 0,
                (double) p.kvCacheTokens() * AcceleratorProfile.REFERENCE_KV_BYTES_PER_TOKEN, minInterval);
    }

    @Override
    public synchronized List<GpuSample> sample() {
        SimulatedEngine.Activity now = activity.get();
        long dt = now.atNanos() - lastNanos;
        if (latest != null && dt < minIntervalNanos) {
            return List.of(latest);
        }
        double utilisation = latest == null ? 0 : latest.utilisation();
        if (dt > 0) {
            utilisation = Math.max(0, Math.min(1, (double) (now.busyNanos() - lastBusyNanos) / dt));
            temperature = lag(temperature, target(thermals.idleCelsius(), thermals.maxCelsius(), utilisation),
                    dt, thermals.temperatureTau());
            power = lag(power, target(thermals.idleWatts(), thermals.maxWatts(), utilisation), dt, thermals.powerTau());
        }
        lastNanos = now.atNanos();
        lastBusyNanos = now.busyNanos();
        long used = GpuSample.UNKNOWN_BYTES;
        if (memoryTotalBytes >= 0) {
            double inUse = weightBytes + Math.max(0, Math.min(1, now.kvCacheUsage())) * kvCapacityBytes;
            used = Math.min(memoryTotalBytes, Math.round(inUse));
        }
        latest = new GpuSample(0, thermals.deviceName(), utilisation, used, memoryTotalBytes, temperature, power);
        return List.of(latest);
    }

    @Override
    public String description() {
        return "simulated (" + thermals.deviceName() + ")";
    }

    private static double target(double idle, double max, double load) {
        return idle + (max - idle) * load;
    }

    private static double lag(double value, double target, long dtNanos, Duration tau) {
        return target + (value - target) * Math.exp(-(double) dtNanos / tau.toNanos());
    }
}
