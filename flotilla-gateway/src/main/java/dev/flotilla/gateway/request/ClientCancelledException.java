package dev.flotilla.gateway.request;

/** The client closed its connection before the answer was complete; nothing more is sent to it. */
public final class ClientCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClientCancelledException() {
        super("the client closed the connection", null, false, false);
    }
}
