package dev.flotilla.bench.trace;

/** A trace file that does not follow the format: the message names the file, line, field and value. */
public final class TraceFormatException extends IllegalArgumentException {
    public TraceFormatException(String message) {
        super(message);
    }

    public TraceFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
