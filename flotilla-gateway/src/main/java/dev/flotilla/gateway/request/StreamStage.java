package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeBadAnswerException;
import dev.flotilla.gateway.dispatch.NodeErrorStatusException;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.protocol.Sse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Stream: passes the node's status, headers and body to the client chunk by chunk as they arrive,
 * with back-pressure: when the client reads slowly the node's response is paused. A successful
 * stream is held back until its first event with output (which also stops the first-token timer),
 * so a node that fails before its first token has sent the client nothing and can be replaced. A
 * successful non-streamed answer is held whole (it is bounded by {@code max_tokens}) and must be one
 * JSON object ({@link JsonAnswer}); anything else fails the attempt as a bad answer, so it is retried
 * like a 5xx. Error statuses pass through unchanged. A successful answer's bytes are also read by a {@link StreamScanner} (no
 * decoding, no copy): for streams, the events with output give time to first token (from the
 * request's arrival) and inter-token latency; the usage object gives the token counts Complete
 * records.
 */
final class StreamStage implements Stage {
    /** Hop-by-hop headers belong to one connection and are not forwarded. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");

    private final Forwarder forwarder;
    private final GatewayMetrics metrics;
    private final LongSupplier nanoTicker;
    private final Timers timers;
    private final KeptBytes keptBytes;

    StreamStage(Forwarder forwarder, GatewayMetrics metrics, LongSupplier nanoTicker, Timers timers,
                KeptBytes keptBytes) {
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.nanoTicker = nanoTicker;
        this.timers = timers;
        this.keptBytes = keptBytes;
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
        Promise<Void> done = Promise.promise();
        String node = ctx.chosen().name();
        ctx.onClientGone(() -> done.tryFail(new ClientCancelledException()));
        ctx.onAttemptFailure(done::tryFail);
        boolean ok = in.statusCode() == 200;
        boolean stream = ctx.request().stream();
        if (!ok || !stream) {
            cancelAttemptTimer(ctx);
        }
        StreamScanner scanner = !ok ? null : stream ? StreamScanner.forEvents() : StreamScanner.forBody();
        ctx.scanner(scanner);
        GatewayMetrics.Series series = metrics.series(metrics.modelLabel(ctx.request().model()), node);
        ctx.series(series);
        // only successful streams are timed
        boolean timed = ok && stream;
        // a successful non-streamed answer is held whole and checked before the client gets a byte
        boolean whole = ok && !stream;
        // a successful stream's bytes are held back until its first event with output, so that a node
        // that fails before its first token has sent the client nothing and the request can be retried
        Buffer[] held = {(timed || whole) && !out.headWritten() ? Buffer.buffer() : null};
        Continuation continuation = ctx.continuation();
        boolean resuming = continuation != null && continuation.resuming();
        if (resuming && !ok) {
            // a continuation's error status cannot reach a client whose stream has begun; its answer is dropped
            ctx.abandonUpstream();
            done.tryFail(new NodeErrorStatusException(node, in.statusCode()));
            return done.future();
        }
        if (timed && continuation == null) {
            ctx.continuation(new Continuation(keptBytes));
        }
        Continuation keep = timed && !resuming ? ctx.continuation() : null;
        io.vertx.core.Handler<Buffer> onChunk = chunk -> {
            if (done.future().isComplete()) {
                // the attempt was ended (a hedge won, a timeout): nothing more of it reaches the client
                return;
            }
            if (resuming) {
                chunk = continuation.rewrite(chunk);
            }
            if (scanner != null) {
                int events = scanner.feed(chunk);
                if (timed && events > 0) {
                    outputEvents(ctx, series, events, nanoTicker.getAsLong());
                    cancelAttemptTimer(ctx);
                    ctx.firstOutput();
                }
            }
            if (held[0] != null) {
                held[0].appendBuffer(chunk);
                if (whole || scanner.outputEvents() == 0) {
                    return;
                }
                chunk = held[0];
                held[0] = null;
            }
            writeHead(ctx, in, out);
            if (keep != null) {
                keep.sent(chunk);
            }
            out.write(chunk);
            if (out.writeQueueFull()) {
                in.pause();
                out.drainHandler(v -> in.resume());
            }
        };
        io.vertx.core.Handler<Void> onEnd = v -> {
            if (done.future().isComplete()) {
                return;
            }
            cancelAttemptTimer(ctx);
            if (scanner != null) {
                int events = scanner.finish();
                if (timed && events > 0) {
                    outputEvents(ctx, series, events, nanoTicker.getAsLong());
                    ctx.firstOutput();
                }
            }
            if (whole && held[0] != null) {
                // a 200 that is not an answer (an error page, a truncated body) is the node's failure, and
                // the client has nothing of it yet: the request is retried like a 5xx
                String problem = JsonAnswer.problem(held[0]);
                if (problem != null) {
                    done.tryFail(new NodeBadAnswerException(node, problem));
                    return;
                }
                // the complete answer is in: a hedge still running has lost
                ctx.firstOutput();
            } else if (held[0] != null && scanner.outputEvents() == 0 && !containsDone(held[0])) {
                // no output and no end marker: not a stream (an empty answer still ends with [DONE])
                done.tryFail(new NodeBadAnswerException(node, held[0].length() + " bytes without an event with output or "
                        + "data: [DONE]"));
                return;
            }
            writeHead(ctx, in, out);
            // the node's work is over: Complete releases its load before the client sees the last
            // byte, so a client's next request is scheduled against the released count
            done.tryComplete();
            if (held[0] != null) {
                out.end(held[0]);
            } else {
                out.end();
            }
        };
        boolean complete = ctx.earlyComplete();
        Buffer early = ctx.takeEarly();
        if (early != null) {
            // a hedge that won read these before the pipeline took its answer over
            onChunk.handle(early);
        }
        if (complete) {
            // a non-streamed hedge won with its whole answer: the node's response has ended already
            // (and takes no more handlers)
            onEnd.handle(null);
            return done.future();
        }
        in.handler(onChunk);
        in.exceptionHandler(err -> done.tryFail(ctx.clientGone() ? new ClientCancelledException()
                : forwarder.classify(node, err, ctx.timeouts().idle().toMillis())));
        in.endHandler(onEnd);
        in.resume();
        return done.future();
    }

    private static boolean containsDone(Buffer held) {
        return held.toString(java.nio.charset.StandardCharsets.UTF_8).contains("[DONE]");
    }

    /** Status and headers of the node's answer, set once, just before the client's first byte. */
    private static void writeHead(RequestContext ctx, HttpClientResponse in, HttpServerResponse out) {
        if (out.headWritten()) {
            return;
        }
        out.setStatusCode(in.statusCode());
        copyHeaders(in.headers(), out.headers());
        out.putHeader(RequestContext.NODE_HEADER, ctx.chosen().name());
        if (in.getHeader(HttpHeaders.CONTENT_LENGTH) == null) {
            out.setChunked(true);
            if (ctx.request().stream() && in.statusCode() == 200 && !out.headers().contains(HttpHeaders.CONTENT_TYPE)) {
                out.putHeader(HttpHeaders.CONTENT_TYPE, Sse.CONTENT_TYPE);
            }
        }
    }

    private void cancelAttemptTimer(RequestContext ctx) {
        if (ctx.attemptTimer() >= 0) {
            timers.cancel(ctx.attemptTimer());
            ctx.attemptTimer(-1);
        }
    }

    /**
     * Times events with output that arrived together in one chunk. The first of the stream gives
     * the time to first token; each later one an inter-token gap. Events read in the same chunk
     * share the gap since the previous event equally: the gateway cannot see when each was made,
     * and this keeps the sum of the gaps equal to the time from first to last token.
     */
    static void outputEvents(RequestContext ctx, GatewayMetrics.Series series, int events, long now) {
        int gaps = events;
        long previous = ctx.lastTokenNanos();
        if (ctx.firstTokenNanos() == 0) {
            ctx.firstToken(now);
            series.timeToFirstToken(now - ctx.startNanos());
            gaps--;
            previous = now;
        }
        if (gaps > 0) {
            long gap = (now - previous) / gaps;
            for (int i = 0; i < gaps; i++) {
                series.interTokenLatency(gap);
            }
        }
        ctx.lastToken(now);
    }

    private static void copyHeaders(MultiMap from, MultiMap to) {
        for (Map.Entry<String, String> h : from) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                to.add(h.getKey(), h.getValue());
            }
        }
    }
}
