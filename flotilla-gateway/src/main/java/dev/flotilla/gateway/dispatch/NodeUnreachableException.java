package dev.flotilla.gateway.dispatch;

/**
 * The node could not be reached before any response byte arrived (connection refused, reset or
 * closed): nothing was sent to the client, so the request may be tried on another node.
 */
public final class NodeUnreachableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String node;

    public NodeUnreachableException(String node, Throwable cause) {
        super("node '" + node + "' could not be reached: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()), cause);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
