package dev.flotilla.engine.telemetry;

/** The raw host figures {@link HostTelemetry} turns into samples; OSHI in production, a fake in tests. */
interface HostProbe {

    /** Cumulative CPU ticks by kind, as OSHI's {@code getSystemCpuLoadTicks()}. */
    long[] cpuTicks();

    /** Fraction of CPU time busy between two tick readings, 0 to 1. */
    double cpuBusyBetween(long[] before, long[] after);

    long memoryTotalBytes();

    long memoryAvailableBytes();

    /** One-minute load average, negative where the operating system has none. */
    double load1();
}
