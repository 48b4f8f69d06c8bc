package dev.flotilla.engine.server;

/**
 * Where a node listens and what it calls itself.
 *
 * @param name       the node's name in logs and {@code /node/info}
 * @param host       the listen address (loopback by default)
 * @param port       the listen port, 0 for an ephemeral one
 * @param eventLoops Vert.x event loops; 1 is plenty, generation runs on engine threads
 */
public record NodeServerConfig(String name, String host, int port, int eventLoops) {
    public NodeServerConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: '" + name + "' (expected a non-empty name)");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: '" + host + "' (expected a listen address)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected 0..65535)");
        }
        if (eventLoops < 1) {
            throw new IllegalArgumentException("eventLoops: " + eventLoops + " (expected >= 1)");
        }
    }

    public static NodeServerConfig loopback(String name, int port) {
        return new NodeServerConfig(name, "127.0.0.1", port, 1);
    }
}
