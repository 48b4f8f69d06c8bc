package dev.flotilla.gateway.observability;

import java.util.Locale;

/** How a request ended; the lower-case name is the {@code outcome} label of the request counter. */
public enum Outcome {
    /** The node answered 2xx and the answer reached the client. */
    OK,
    /** The client's request was invalid or named an unknown model (4xx from the gateway). */
    CLIENT_ERROR,
    /** The node answered 4xx or 5xx (passed through unchanged). */
    NODE_ERROR,
    /** No node could be reached or the connection broke (502). */
    UNREACHABLE,
    /** The node went quiet for longer than the idle timeout (504). */
    TIMEOUT,
    /** No node that serves the model is up (503). */
    NO_NODE,
    /** The client went away before the answer was complete. */
    CANCELLED,
    /** A fault of the gateway itself (500). */
    INTERNAL;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }
}
