package dev.flotilla.gateway.dispatch;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.protocol.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Sends a request body, byte for byte as the client sent it, to one node over the shared pooled
 * keep-alive client and returns the node's response paused, so the caller attaches its handlers
 * before any byte is read. Failures are classified: {@link NodeUnreachableException} before any
 * response byte, {@link NodeTimeoutException} when the node went quiet.
 */
public final class Forwarder {
    private final HttpClient client;
    private final long connectTimeoutMs;
    private final long idleTimeoutMs;

    public Forwarder(HttpClient client, GatewayConfig.Dispatch config) {
        this.client = client;
        this.connectTimeoutMs = config.connectTimeout().toMillis();
        this.idleTimeoutMs = config.idleTimeout().toMillis();
    }

    /**
     * Forwards the body.
     *
     * @param onRequest gets the upstream request as soon as it exists, so a client that goes away
     *                  can reset it (the node then sees the connection close and cancels)
     */
    public Future<HttpClientResponse> send(NodeSnapshot node, Endpoint endpoint, Buffer body,
                                           Consumer<HttpClientRequest> onRequest) {
        return send(node, endpoint, body, connectTimeoutMs, idleTimeoutMs, onRequest);
    }

    /** Forwards the body with a model's own connect and idle timeouts. */
    public Future<HttpClientResponse> send(NodeSnapshot node, Endpoint endpoint, Buffer body,
                                           GatewayConfig.Timeouts timeouts, Consumer<HttpClientRequest> onRequest) {
        return send(node, endpoint, body, timeouts.connect().toMillis(), timeouts.idle().toMillis(), onRequest);
    }

    private Future<HttpClientResponse> send(NodeSnapshot node, Endpoint endpoint, Buffer body, long connectTimeoutMs,
                                            long idleTimeoutMs, Consumer<HttpClientRequest> onRequest) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(node.baseUrl().getHost())
                .setPort(node.baseUrl().getPort())
                .setSsl("https".equals(node.baseUrl().getScheme()))
                .setURI(endpoint.path())
                .setConnectTimeout(connectTimeoutMs)
                .setIdleTimeout(idleTimeoutMs)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        return client.request(options)
                .compose(req -> {
                    onRequest.accept(req);
                    return req.send(body);
                })
                .map(resp -> {
                    resp.pause();
                    return resp;
                })
                .recover(err -> Future.failedFuture(classify(node.name(), err, idleTimeoutMs)));
    }

    /** What a failure before the response means for retries and the client's status. */
    public RuntimeException classify(String node, Throwable err) {
        return classify(node, err, idleTimeoutMs);
    }

    /** As {@link #classify(String, Throwable)}, naming the idle timeout the request had. */
    public RuntimeException classify(String node, Throwable err, long idleTimeoutMs) {
        if (err instanceof NodeUnreachableException || err instanceof NodeTimeoutException) {
            return (RuntimeException) err;
        }
        if (isTimeout(err)) {
            return new NodeTimeoutException(node, idleTimeoutMs);
        }
        if (err instanceof ConnectException || isConnectionLoss(err)) {
            return new NodeUnreachableException(node, err);
        }
        return err instanceof RuntimeException r ? r : new NodeUnreachableException(node, err);
    }

    private static boolean isTimeout(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")
                    && !(t instanceof ConnectException)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionLoss(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof java.io.IOException || t instanceof io.vertx.core.http.HttpClosedException
                    || t instanceof io.vertx.core.http.StreamResetException) {
                return true;
            }
            String m = t.getMessage();
            if (m != null && (m.contains("Connection reset") || m.contains("Connection was closed")
                    || m.contains("closed"))) {
                return true;
            }
        }
        return false;
    }
}
