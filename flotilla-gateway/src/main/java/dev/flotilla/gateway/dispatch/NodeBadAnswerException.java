package dev.flotilla.gateway.dispatch;

/**
 * The node answered 200 but with a stream that is not one: it ended without a single event with
 * output and without the closing {@code data: [DONE]} (malformed SSE, a truncated or foreign body).
 * Nothing had reached the client, so the request may be tried on another node.
 */
public final class NodeBadAnswerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String node;

    public NodeBadAnswerException(String node, String what) {
        super("node '" + node + "' sent a malformed answer: " + what);
        this.node = node;
    }

    public String node() {
        return node;
    }
}
