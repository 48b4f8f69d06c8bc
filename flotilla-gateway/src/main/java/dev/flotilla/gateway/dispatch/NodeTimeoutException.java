package dev.flotilla.gateway.dispatch;

/** The node sent no byte for longer than {@code dispatch.idleTimeout}. */
public final class NodeTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String node;

    public NodeTimeoutException(String node, long timeoutMillis) {
        super("node '" + node + "' sent nothing for " + timeoutMillis + " ms");
        this.node = node;
    }

    public String node() {
        return node;
    }
}
