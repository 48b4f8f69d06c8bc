package dev.flotilla.engine.telemetry;

import dev.flotilla.engine.sim.AcceleratorProfile;
import java.time.Duration;
import java.util.Objects;

/**
 * How a simulated GPU's power and temperature respond to load: the readings of an idle card and of a
 * card busy all the time, and the first-order time constants with which they move between the two.
 * The built-in figures (TDP from NVIDIA's datasheets, idle and loaded readings typical of
 * nvidia-smi on such cards) are listed with their sources in {@code docs/telemetry.md}.
 *
 * @param deviceName     the name nvidia-smi would print, e.g. "NVIDIA H100 80GB HBM3"
 * @param idleWatts      power draw when idle
 * @param maxWatts       power draw when busy all the time (about the board's TDP)
 * @param idleCelsius    temperature when idle
 * @param maxCelsius     temperature after a long time busy
 * @param temperatureTau time constant of the temperature
 * @param powerTau       time constant of the power draw
 */
public record GpuThermals(String deviceName, double idleWatts, double maxWatts, double idleCelsius, double maxCelsius,
                          Duration temperatureTau, Duration powerTau) {
    /** Temperature time constant: a heatsink under a fan takes tens of seconds to settle. */
    public static final Duration TEMPERATURE_TAU = Duration.ofSeconds(30);
    /** Power time constant: the board's power limiter and clocks settle within seconds. */
    public static final Duration POWER_TAU = Duration.ofSeconds(2);

    public GpuThermals {
        Objects.requireNonNull(deviceName, "deviceName");
        Objects.requireNonNull(temperatureTau, "temperatureTau");
        Objects.requireNonNull(powerTau, "powerTau");
        if (temperatureTau.isNegative() || temperatureTau.isZero() || powerTau.isNegative() || powerTau.isZero()) {
            throw new IllegalArgumentException(deviceName + ": time constants " + temperatureTau + ", " + powerTau
                    + " (expected > 0)");
        }
    }

    /** NVIDIA H100 SXM5 80 GB: 700 W TDP. */
    public static final GpuThermals H100 = of("NVIDIA H100 80GB HBM3", 70, 700, 32, 72);
    /** NVIDIA A100 SXM4 80 GB: 400 W TDP. */
    public static final GpuThermals A100_80G = of("NVIDIA A100-SXM4-80GB", 60, 400, 32, 68);
    /** NVIDIA L40S: 350 W TDP. */
    public static final GpuThermals L40S = of("NVIDIA L40S", 35, 350, 30, 75);
    /** NVIDIA L4: 72 W TDP. */
    public static final GpuThermals L4 = of("NVIDIA L4", 16, 72, 35, 75);
    /** NVIDIA T4: 70 W TDP. */
    public static final GpuThermals T4 = of("Tesla T4", 10, 70, 35, 72);

    private static GpuThermals of(String name, double idleW, double maxW, double idleC, double maxC) {
        return new GpuThermals(name, idleW, maxW, idleC, maxC, TEMPERATURE_TAU, POWER_TAU);
    }

    /**
     * The figures for a profile: the built-in card of that name; for the zero profile (no real
     * hardware) NaN power and temperature; for a custom profile a generic 300 W data-centre card
     * named after the profile.
     */
    public static GpuThermals forProfile(AcceleratorProfile profile) {
        if (profile.equals(AcceleratorProfile.H100)) {
            return H100;
        } else if (profile.equals(AcceleratorProfile.A100_80G)) {
            return A100_80G;
        } else if (profile.equals(AcceleratorProfile.L40S)) {
            return L40S;
        } else if (profile.equals(AcceleratorProfile.L4)) {
            return L4;
        } else if (profile.equals(AcceleratorProfile.T4)) {
            return T4;
        } else if (profile.equals(AcceleratorProfile.ZERO)) {
            return of(profile.name(), Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return of(profile.name(), 50, 300, 30, 70);
    }
}
