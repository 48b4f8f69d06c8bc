package dev.flotilla.engine.telemetry;

/** A GPU source could not be read or its answer not understood; the message names the source and the problem. */
public final class GpuTelemetryException extends RuntimeException {
    public GpuTelemetryException(String message) {
        super(message);
    }

    public GpuTelemetryException(String message, Throwable cause) {
        super(message, cause);
    }
}
