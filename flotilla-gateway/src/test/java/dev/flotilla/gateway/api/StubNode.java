package dev.flotilla.gateway.api;

import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.ModelCard;
import dev.flotilla.protocol.OpenAiJson;
import dev.flotilla.protocol.Sse;
import dev.flotilla.protocol.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TEST ONLY: a tiny OpenAI-speaking node with behaviour the test controls: healthy or not, answer
 * normally (a non-streamed answer after a delay the test sets), hang, close the connection, fail
 * with 500, refuse with 400, send malformed SSE or a 200 body that is not JSON, or hold a stream
 * after its first chunk until the test completes a promise. Answers carry the node's name as the response id.
 */
final class StubNode {
    enum Mode { NORMAL, HANG, CLOSE, FAIL, BAD_REQUEST, MALFORMED_SSE, DIE_AFTER_FIRST, NOT_JSON }

    final String name;
    private final Vertx vertx;
    private final List<String> models;
    private HttpServer server;
    private int port;

    final AtomicBoolean healthy = new AtomicBoolean(true);
    final AtomicReference<Mode> mode = new AtomicReference<>(Mode.NORMAL);
    /** When set, streams send their first chunk and wait for this promise before the rest. */
    final AtomicReference<Promise<Void>> hold = new AtomicReference<>();
    final AtomicInteger inferenceRequests = new AtomicInteger();
    final AtomicBoolean firstChunkSent = new AtomicBoolean();
    final AtomicBoolean closedMidStream = new AtomicBoolean();
    final AtomicReference<String> lastBody = new AtomicReference<>();
    /** Milliseconds a stream waits (after its head) before its first chunk; asked once per stream. */
    final AtomicReference<java.util.function.LongSupplier> firstChunkDelay = new AtomicReference<>(() -> 0);
    /**
     * How a non-streamed answer is sent: after {@code delayMillis}, with this status (500 sends an
     * error body), its head at once or with the body. Asked once per request.
     */
    record Answer(long delayMillis, int status, boolean headFirst) {
        static Answer after(long delayMillis) {
            return new Answer(delayMillis, 200, false);
        }
    }

    final AtomicReference<java.util.function.Supplier<Answer>> answerPlan =
            new AtomicReference<>(() -> Answer.after(0));
    /** Non-streamed answers being waited for now (see {@link #answerPlan}). */
    final AtomicInteger answersRunning = new AtomicInteger();
    /** Non-streamed answers whose connection closed before they were sent (the gateway cancelled them). */
    final AtomicInteger answersCancelled = new AtomicInteger();
    /** Milliseconds after which a stream is answered 500 instead (no head before), or -1; asked once per stream. */
    final AtomicReference<java.util.function.LongSupplier> streamFailAfter = new AtomicReference<>(() -> -1);
    /** What streams send after their first chunk ("one"), one chunk each. */
    final AtomicReference<List<String>> streamRest = new AtomicReference<>(List.of("two"));
    /**
     * The usage chunk of a stream that asked for one ({@code stream_options.include_usage}); its
     * completion count differs from the chunks on purpose, so a test can tell which one was counted.
     */
    static final Usage STREAM_USAGE = new Usage(4, 9);

    StubNode(Vertx vertx, String name, List<String> models) {
        this.vertx = vertx;
        this.name = name;
        this.models = models;
    }

    StubNode start(int port) {
        server = vertx.createHttpServer().requestHandler(this::handle);
        this.port = await(server.listen(port, "127.0.0.1")).actualPort();
        return this;
    }

    StubNode start() {
        return start(0);
    }

    void stop() {
        await(server.close());
    }

    int port() {
        return port;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Holds the next streams after their first chunk; complete the returned promise to go on. */
    Promise<Void> holdStreams() {
        Promise<Void> p = Promise.promise();
        hold.set(p);
        return p;
    }

    private void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/health" -> {
                if (healthy.get()) {
                    req.response().end("{\"status\":\"ok\"}");
                } else {
                    req.response().setStatusCode(503).end("{\"status\":\"loading\"}");
                }
            }
            case "/v1/models" -> req.response().putHeader("content-type", "application/json")
                    .end(OpenAiJson.modelList(models.stream().map(m -> new ModelCard(m, 1, "stub")).toList()));
            case "/v1/chat/completions", "/v1/completions" -> req.body().onSuccess(body -> {
                inferenceRequests.incrementAndGet();
                lastBody.set(body.toString());
                Endpoint endpoint = req.path().equals("/v1/chat/completions") ? Endpoint.CHAT : Endpoint.COMPLETIONS;
                infer(req, endpoint, body.toString().contains("\"stream\":true"),
                        body.toString().contains("\"include_usage\":true"));
            });
            default -> req.response().setStatusCode(404).end();
        }
    }

    private void infer(HttpServerRequest req, Endpoint endpoint, boolean stream, boolean usage) {
        switch (mode.get()) {
            case HANG -> req.connection().closeHandler(v -> closedMidStream.set(true));
            case CLOSE -> req.connection().close();
            case BAD_REQUEST -> req.response().setStatusCode(400).putHeader("content-type", "application/json")
                    .end("{\"error\":{\"message\":\"stub refuses\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"stub\"}}");
            case MALFORMED_SSE -> req.response().setChunked(true).putHeader("content-type", Sse.CONTENT_TYPE)
                    .end("data: {\"choices\":[{\"delta\":{\"cont\n\nevent: ???\n\n");
            case FAIL -> req.response().setStatusCode(500).putHeader("content-type", "application/json")
                    .end("{\"error\":{\"message\":\"stub failure\",\"type\":\"server_error\",\"param\":null,\"code\":\"stub\"}}");
            case NOT_JSON -> req.response().putHeader("content-type", "application/json").end("not json");
            case NORMAL, DIE_AFTER_FIRST -> {
                if (!stream) {
                    answer(req, endpoint);
                    return;
                }
                long failAfter = streamFailAfter.get().getAsLong();
                if (failAfter >= 0) {
                    vertx.setTimer(Math.max(1, failAfter), t -> req.response().setStatusCode(500)
                            .putHeader("content-type", "application/json").end("{\"error\":{\"message\":\"stub failure\","
                                    + "\"type\":\"server_error\",\"param\":null,\"code\":\"stub\"}}"));
                    return;
                }
                var resp = req.response().setChunked(true).putHeader("content-type", Sse.CONTENT_TYPE);
                resp.closeHandler(v -> {
                    if (!resp.ended()) {
                        closedMidStream.set(true);
                    }
                });
                long delay = firstChunkDelay.get().getAsLong();
                if (delay > 0) {
                    resp.writeHead();
                    vertx.setTimer(delay, t -> {
                        if (!resp.closed()) {
                            streamFrom(req, resp, endpoint, usage);
                        }
                    });
                    return;
                }
                streamFrom(req, resp, endpoint, usage);
            }
        }
    }

    /** A whole non-streamed answer as {@link #answerPlan} says; a connection closed meanwhile counts as cancelled. */
    private void answer(HttpServerRequest req, Endpoint endpoint) {
        var resp = req.response();
        Answer plan = answerPlan.get().get();
        String body = plan.status() == 200 ? OpenAiJson.response(endpoint, name, 1, "m", "hello from " + name,
                FinishReason.STOP, new Usage(1, 2))
                : "{\"error\":{\"message\":\"stub failure\",\"type\":\"server_error\",\"param\":null,\"code\":\"stub\"}}";
        resp.setStatusCode(plan.status()).putHeader("content-type", "application/json");
        if (plan.delayMillis() <= 0) {
            resp.end(body);
            return;
        }
        if (plan.headFirst()) {
            resp.setChunked(true).writeHead();
        }
        answersRunning.incrementAndGet();
        long timer = vertx.setTimer(plan.delayMillis(), t -> {
            answersRunning.decrementAndGet();
            if (!resp.closed()) {
                resp.end(body);
            }
        });
        resp.closeHandler(v -> {
            if (!resp.ended() && vertx.cancelTimer(timer)) {
                answersRunning.decrementAndGet();
                answersCancelled.incrementAndGet();
            }
        });
    }

    private void streamFrom(HttpServerRequest req, io.vertx.core.http.HttpServerResponse resp, Endpoint endpoint,
                            boolean usage) {
        resp.write(Sse.data(OpenAiJson.chunk(endpoint, name, 1, "m", "assistant", "one", null, usage)));
        firstChunkSent.set(true);
        if (mode.get() == Mode.DIE_AFTER_FIRST) {
            req.connection().close();
            return;
        }
        Promise<Void> p = hold.get();
        Future<Void> gate = p == null ? Future.succeededFuture() : p.future();
        gate.onComplete(v -> {
            if (resp.closed()) {
                return;
            }
            for (String piece : streamRest.get()) {
                resp.write(Sse.data(OpenAiJson.chunk(endpoint, name, 1, "m", null, piece, null, usage)));
            }
            resp.write(Sse.data(OpenAiJson.chunk(endpoint, name, 1, "m", null, null, FinishReason.STOP, usage)));
            if (usage) {
                resp.write(Sse.data(OpenAiJson.usageChunk(endpoint, name, 1, "m", STREAM_USAGE)));
            }
            resp.end(Sse.done());
        });
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
