package dev.flotilla.gateway.dispatch;

/**
 * The node answered with a 5xx status before the client received anything: the request may be
 * tried on another node. When it is not, the node's answer is passed to the client unchanged.
 */
public final class NodeErrorStatusException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String node;
    private final int status;

    public NodeErrorStatusException(String node, int status) {
        super("node '" + node + "' answered " + status);
        this.node = node;
        this.status = status;
    }

    public String node() {
        return node;
    }

    public int status() {
        return status;
    }
}
