package dev.flotilla.gateway.dispatch;

/**
 * The node was too slow: it sent no byte for longer than the idle timeout, no first token within
 * the first-token timeout, or the request outlived its total timeout.
 */
public final class NodeTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String node;

    public NodeTimeoutException(String node, long timeoutMillis) {
        this(node, "node '" + node + "' sent nothing for " + timeoutMillis + " ms", true);
    }

    private NodeTimeoutException(String node, String message, boolean unused) {
        super(message);
        this.node = node;
    }

    /** The stream had no event with output within the model's first-token timeout. */
    public static NodeTimeoutException firstToken(String node, long timeoutMillis) {
        return new NodeTimeoutException(node, "node '" + node + "' sent no first token within " + timeoutMillis + " ms",
                true);
    }

    /** The request took longer than the model's total timeout. */
    public static NodeTimeoutException total(String node, long timeoutMillis) {
        return new NodeTimeoutException(node, "the request took longer than its total timeout of " + timeoutMillis
                + " ms (last node: '" + node + "')", true);
    }

    public String node() {
        return node;
    }
}
