package dev.flotilla.engine.telemetry;

import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/** Host figures from OSHI, which reads /proc on Linux and the native APIs elsewhere. */
final class OshiHostProbe implements HostProbe {
    private final CentralProcessor processor;
    private final GlobalMemory memory;

    OshiHostProbe() {
        var hardware = new SystemInfo().getHardware();
        this.processor = hardware.getProcessor();
        this.memory = hardware.getMemory();
    }

    @Override
    public long[] cpuTicks() {
        return processor.getSystemCpuLoadTicks();
    }

    @Override
    public double cpuBusyBetween(long[] before, long[] after) {
        return processor.getSystemCpuLoadBetweenTicks(before, after);
    }

    @Override
    public long memoryTotalBytes() {
        return memory.getTotal();
    }

    @Override
    public long memoryAvailableBytes() {
        return memory.getAvailable();
    }

    @Override
    public double load1() {
        return processor.getSystemLoadAverage(1)[0];
    }
}
