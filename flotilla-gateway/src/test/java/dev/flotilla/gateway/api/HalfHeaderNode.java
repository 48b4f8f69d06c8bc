package dev.flotilla.gateway.api;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY: a node at the TCP level that passes its health checks and lists model "m", but answers
 * every inference request with half a status line and header and then closes the connection.
 * One request per connection ({@code Connection: close}).
 */
final class HalfHeaderNode {
    final String name;
    final AtomicInteger inferenceRequests = new AtomicInteger();
    private final Vertx vertx;
    private NetServer server;
    private int port;

    HalfHeaderNode(Vertx vertx, String name) {
        this.vertx = vertx;
        this.name = name;
    }

    HalfHeaderNode start() {
        server = vertx.createNetServer().connectHandler(this::connected);
        port = StubNode.await(server.listen(0, "127.0.0.1")).actualPort();
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    private void connected(NetSocket socket) {
        Buffer seen = Buffer.buffer();
        socket.handler(chunk -> {
            seen.appendBuffer(chunk);
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            if (!text.contains("\r\n\r\n")) {
                return;
            }
            String path = text.substring(text.indexOf(' ') + 1, text.indexOf(' ', text.indexOf(' ') + 1));
            if (path.startsWith("/v1/chat") || path.startsWith("/v1/completions")) {
                inferenceRequests.incrementAndGet();
                socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/ev").onComplete(v -> socket.close());
            } else {
                String body = path.equals("/v1/models")
                        ? "{\"object\":\"list\",\"data\":[{\"id\":\"m\",\"object\":\"model\",\"created\":1,\"owned_by\":\"x\"}]}"
                        : "{\"status\":\"ok\"}";
                socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).onComplete(v -> socket.close());
            }
        });
    }
}
