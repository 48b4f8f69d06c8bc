package dev.flotilla.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A misbehaving front for a node ({@code flotilla node --fault MODE}): it listens on the node's
 * address and answers inference requests ({@code POST /v1/completions}, {@code /v1/chat/completions})
 * with the chosen fault, while every other request ({@code /health}, {@code /v1/models},
 * {@code /metrics}, {@code /node/info}) is passed to the real node behind it, so the node stays in a
 * gateway's rotation and only its answers fail: what the gateway's circuit breaker and retries are for.
 *
 * <p>It works on raw TCP because one fault (a connection closed mid-header) cannot be produced by an
 * HTTP server. Each connection carries one request: the front reads the request head and its
 * {@code Content-Length} body, answers or passes it on (with {@code Connection: close}, so the node's
 * answer ends with its connection), then closes the connection; clients simply open a new one.
 */
final class FaultFront implements AutoCloseable {
    /** How the front answers inference requests. */
    enum Mode {
        /** Every inference request: 500 with an OpenAI error body. */
        HTTP_500("http-500"),
        /**
         * Streamed requests: 200 {@code text/event-stream} whose events are not valid JSON, ending
         * without {@code data: [DONE]}; non-streamed ones are served (they have no SSE to break).
         */
        MALFORMED_SSE("malformed-sse"),
        /** Every inference request: half a status line and header, then the connection closes. */
        CLOSE_MID_HEADER("close-mid-header");

        final String option;

        Mode(String option) {
            this.option = option;
        }

        static Mode parse(String value) {
            for (Mode m : values()) {
                if (m.option.equalsIgnoreCase(value)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--fault: '" + value + "' (expected one of " + names() + ")");
        }

        static String names() {
            return Arrays.stream(values()).map(m -> m.option).collect(Collectors.joining(", "));
        }
    }

    private static final byte[] HEAD_END = "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
    /** A request head longer than this is not one a gateway sends: the connection is closed. */
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Mode mode;
    private final String innerHost;
    private final int innerPort;
    private final Vertx vertx;
    private final NetClient client;
    private NetServer server;

    private FaultFront(Mode mode, String innerHost, int innerPort) {
        this.mode = mode;
        this.innerHost = innerHost;
        this.innerPort = innerPort;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        this.client = vertx.createNetClient();
    }

    /** Listens on host:port (0: any free port) in front of the node at innerHost:innerPort; blocks until it listens. */
    static FaultFront start(Mode mode, String host, int port, String innerHost, int innerPort) {
        FaultFront front = new FaultFront(mode, innerHost, innerPort);
        try {
            front.server = front.vertx.createNetServer().connectHandler(front::connected).listen(port, host)
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            front.vertx.close();
            throw new IllegalStateException("fault front (" + mode.option + "): cannot listen on " + host + ":" + port
                    + ": " + e.getMessage(), e);
        }
        return front;
    }

    int port() {
        return server.actualPort();
    }

    private void connected(NetSocket socket) {
        Buffer seen = Buffer.buffer();
        socket.handler(chunk -> {
            seen.appendBuffer(chunk);
            Request request = Request.read(seen);
            if (request == null) {
                if (seen.length() > MAX_HEAD_BYTES) {
                    socket.close();
                }
                return;
            }
            socket.handler(ignored -> { });
            socket.pause();
            if (faulty(request)) {
                answerWithFault(socket);
            } else {
                passOn(socket, request);
            }
        });
    }

    private boolean faulty(Request request) {
        if (!request.method().equals("POST")
                || !(request.path().equals("/v1/completions") || request.path().equals("/v1/chat/completions"))) {
            return false;
        }
        return mode != Mode.MALFORMED_SSE || request.streamed();
    }

    private void answerWithFault(NetSocket socket) {
        String answer = switch (mode) {
            case HTTP_500 -> {
                String body = "{\"error\":{\"message\":\"fault injected by flotilla node --fault http-500\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":\"fault_injected\"}}";
                yield "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
            }
            // valid HTTP (chunked, properly ended) carrying events that are not JSON and no [DONE]
            case MALFORMED_SSE -> "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + chunk("data: {\"id\":\"cmpl-fault\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\n\n")
                    + chunk("data: <this is not json>\n\n")
                    + "0\r\n\r\n";
            case CLOSE_MID_HEADER -> "HTTP/1.1 200 OK\r\nContent-Type: text/ev";
        };
        socket.write(answer).onComplete(v -> socket.close());
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + data + "\r\n";
    }

    /** Sends the request to the node with {@code Connection: close} and relays its answer until the node closes. */
    private void passOn(NetSocket socket, Request request) {
        client.connect(innerPort, innerHost).onComplete(ar -> {
            if (ar.failed()) {
                socket.close();
                return;
            }
            NetSocket inner = ar.result();
            inner.handler(socket::write);
            inner.closeHandler(v -> socket.close());
            socket.closeHandler(v -> inner.close());
            inner.write(request.withConnectionClose());
        });
    }

    @Override
    public void close() {
        vertx.close().await();
    }

    /** One request read from a connection: its head fields and whole bytes (head and body). */
    record Request(String method, String path, String headText, Buffer body) {
        /** The request in seen, or null while its head or body is incomplete. */
        static Request read(Buffer seen) {
            int headEnd = indexOf(seen.getBytes(), HEAD_END);
            if (headEnd < 0) {
                return null;
            }
            String head = seen.getString(0, headEnd, StandardCharsets.ISO_8859_1.name());
            String[] lines = head.split("\r\n");
            String[] requestLine = lines[0].split(" ");
            if (requestLine.length < 2) {
                return new Request("", "", head, Buffer.buffer());
            }
            int length = 0;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    length = Integer.parseInt(lines[i].substring(colon + 1).trim());
                }
            }
            int bodyStart = headEnd + HEAD_END.length;
            if (seen.length() < bodyStart + length) {
                return null;
            }
            String path = requestLine[1];
            int query = path.indexOf('?');
            return new Request(requestLine[0].toUpperCase(Locale.ROOT), query < 0 ? path : path.substring(0, query),
                    head, seen.getBuffer(bodyStart, bodyStart + length));
        }

        /** Whether the JSON body asks for a stream. */
        boolean streamed() {
            try {
                JsonNode json = JSON.readTree(body.getBytes());
                return json != null && json.path("stream").asBoolean(false);
            } catch (IOException e) {
                return false;
            }
        }

        /** The request again, its connection header replaced by {@code Connection: close}. */
        Buffer withConnectionClose() {
            StringBuilder head = new StringBuilder();
            for (String line : headText.split("\r\n")) {
                if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                    head.append(line).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            return Buffer.buffer(head.toString().getBytes(StandardCharsets.ISO_8859_1)).appendBuffer(body);
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            outer:
            for (int i = 0; i + pattern.length <= data.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
