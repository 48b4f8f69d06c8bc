package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.protocol.Sse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Stream: passes the node's status, headers and body to the client chunk by chunk as they arrive
 * (SSE events, {@code [DONE]} and the usage chunk are just bytes here), with back-pressure: when
 * the client reads slowly the node's response is paused. Error statuses pass through unchanged.
 */
final class StreamStage implements Stage {
    /** Hop-by-hop headers belong to one connection and are not forwarded. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");

    private final Forwarder forwarder;
    private final LongSupplier nanoTicker;

    StreamStage(Forwarder forwarder, LongSupplier nanoTicker) {
        this.forwarder = forwarder;
        this.nanoTicker = nanoTicker;
    }

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        if (ctx.clientGone()) {
            return Future.failedFuture(new ClientCancelledException());
        }
        HttpClientResponse in = ctx.upstreamResponse();
        HttpServerResponse out = ctx.response();
        out.setStatusCode(in.statusCode());
        copyHeaders(in.headers(), out.headers());
        if (in.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            out.setChunked(true);
            if (ctx.request().stream() && in.statusCode() == 200 && !out.headers().contains(HttpHeaders.CONTENT_TYPE)) {
                out.putHeader(HttpHeaders.CONTENT_TYPE, Sse.CONTENT_TYPE);
            }
        }
        Promise<Void> done = Promise.promise();
        String node = ctx.chosen().name();
        ctx.onClientGone(() -> done.tryFail(new ClientCancelledException()));
        // time to first token, for latency-outlier detection: only successful streams are timed
        FirstTokenDetector firstToken = ctx.request().stream() && in.statusCode() == 200 ? new FirstTokenDetector() : null;
        in.handler(chunk -> {
            if (firstToken != null && ctx.firstTokenNanos() == 0 && firstToken.feed(chunk.getBytes())) {
                ctx.firstToken(nanoTicker.getAsLong());
            }
            out.write(chunk);
            if (out.writeQueueFull()) {
                in.pause();
                out.drainHandler(v -> in.resume());
            }
        });
        in.exceptionHandler(err -> done.tryFail(ctx.clientGone() ? new ClientCancelledException()
                : forwarder.classify(node, err)));
        in.endHandler(v -> {
            // the node's work is over: Complete releases its load before the client sees the last
            // byte, so a client's next request is scheduled against the released count
            done.tryComplete();
            out.end();
        });
        in.resume();
        return done.future();
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        for (Map.Entry<String, String> h : from) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                to.add(h.getKey(), h.getValue());
            }
        }
    }
}
