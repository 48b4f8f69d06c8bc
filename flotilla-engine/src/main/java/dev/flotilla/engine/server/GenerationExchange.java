package dev.flotilla.engine.server;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.Generation;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.ErrorBody;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.InferenceRequest;
import dev.flotilla.protocol.InferenceRequests;
import dev.flotilla.protocol.OpenAiJson;
import dev.flotilla.protocol.Sse;
import dev.flotilla.protocol.Usage;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One OpenAI request on a node, from parsed body to the last byte: submits the generation, relays
 * tokens as SSE chunks (or collects them for a whole response), records vLLM-style metrics, and
 * cancels the generation when the client goes away. Engine callbacks arrive on engine threads and
 * are moved onto the request's Vert.x context, so all response writes happen on one thread.
 */
final class GenerationExchange implements TokenListener {
    private static final char[] ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final RoutingContext ctx;
    private final Context vertxContext;
    private final HttpServerResponse response;
    private final InferenceRequest request;
    private final Engine engine;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final String id;
    private final long created;
    private final long startNanos;
    private final StringBuilder text = new StringBuilder();
    private long lastTokenNanos;
    private int tokens;
    private boolean finished;
    private Generation generation;

    private GenerationExchange(RoutingContext ctx, InferenceRequest request, Engine engine, NodeMetrics metrics,
                               Clock clock) {
        this.ctx = ctx;
        this.vertxContext = ctx.vertx().getOrCreateContext();
        this.response = ctx.response();
        this.request = request;
        this.engine = engine;
        this.metrics = metrics;
        this.clock = clock;
        this.id = (request.endpoint() == Endpoint.CHAT ? "chatcmpl-" : "cmpl-") + randomId();
        Instant now = clock.instant();
        this.created = now.getEpochSecond();
        this.startNanos = nanos(now);
    }

    static void start(RoutingContext ctx, Endpoint endpoint, Engine engine, NodeMetrics metrics, Clock clock) {
        InferenceRequest request;
        try {
            request = InferenceRequests.parse(endpoint, ctx.body().buffer() == null ? null : ctx.body().buffer().getBytes());
        } catch (ApiException e) {
            NodeServer.Errors.send(ctx, e);
            return;
        }
        if (!request.model().equals(engine.model())) {
            NodeServer.Errors.send(ctx, ApiException.modelNotFound(request.model()));
            return;
        }
        new GenerationExchange(ctx, request, engine, metrics, clock).submit();
    }

    /**
     * The chat prompt. With {@code "continue_final_message": true} (vLLM's name) and a last message
     * from the assistant, the answer continues that message instead of starting a new turn: the
     * prompt is the template of the messages before it, which ends where an assistant answer starts,
     * followed by the message's text. A gateway sends this to continue a stream whose node failed.
     */
    private String chatPrompt() {
        List<ChatMessage> messages = request.messages();
        ChatMessage last = messages.isEmpty() ? null : messages.getLast();
        if (last != null && "assistant".equals(last.role()) && continueFinalMessage()) {
            return engine.chatPrompt(messages.subList(0, messages.size() - 1)) + last.content();
        }
        return engine.chatPrompt(messages);
    }

    /** Read from the body only for a chat whose last message is the assistant's (the parser skips unknown fields). */
    private boolean continueFinalMessage() {
        try {
            Object flag = new JsonObject(ctx.body().buffer()).getValue("continue_final_message");
            return Boolean.TRUE.equals(flag);
        } catch (RuntimeException notAnObject) {
            return false;
        }
    }

    private void submit() {
        String prompt = request.endpoint() == Endpoint.CHAT ? chatPrompt() : request.prompt();
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
        GenerationRequest generationRequest = new GenerationRequest(id, prompt,
                request.maxTokens() == null ? 0 : request.maxTokens(), request.temperature(), request.topP(), seed,
                request.stop());
        try {
            generation = engine.submit(generationRequest, this);
        } catch (PromptTooLongException e) {
            String field = request.endpoint() == Endpoint.CHAT ? "messages" : "prompt";
            NodeServer.Errors.send(ctx, ApiException.invalidRequest(field, "context_length_exceeded",
                    "This model's maximum context length is " + e.contextTokens() + " tokens. However, your "
                            + field + " resulted in " + e.promptTokens()
                            + " tokens. Please reduce the length of the " + field + "."));
            return;
        }
        response.closeHandler(v -> vertxContext.runOnContext(x -> clientGone()));
        if (request.stream()) {
            response.setChunked(true)
                    .putHeader("content-type", Sse.CONTENT_TYPE)
                    .putHeader("cache-control", "no-cache");
            if (request.endpoint() == Endpoint.CHAT) {
                response.write(Sse.data(OpenAiJson.chunk(request.endpoint(), id, created, request.model(),
                        "assistant", "", null, request.includeUsage())));
            }
        }
    }

    @Override
    public void onToken(String piece) {
        long now = nanos(clock.instant());
        vertxContext.runOnContext(v -> token(piece, now));
    }

    @Override
    public void onComplete(FinishReason reason, Usage usage) {
        long now = nanos(clock.instant());
        vertxContext.runOnContext(v -> complete(reason, usage, now));
    }

    @Override
    public void onError(Throwable error) {
        vertxContext.runOnContext(v -> fail(error));
    }

    private void token(String piece, long now) {
        if (finished) {
            return;
        }
        if (tokens == 0) {
            metrics.firstToken(seconds(now - startNanos));
        } else {
            metrics.interToken(seconds(now - lastTokenNanos));
        }
        lastTokenNanos = now;
        tokens++;
        if (!request.stream()) {
            text.append(piece);
        } else if (!piece.isEmpty()) {
            response.write(Sse.data(OpenAiJson.chunk(request.endpoint(), id, created, request.model(), null, piece,
                    null, request.includeUsage())));
        }
    }

    private void complete(FinishReason reason, Usage usage, long now) {
        if (finished) {
            return;
        }
        finished = true;
        metrics.finished(reason.wire(), usage.promptTokens(), usage.completionTokens(), seconds(now - startNanos));
        if (response.closed()) {
            return;
        }
        if (!request.stream()) {
            response.putHeader("content-type", "application/json").end(OpenAiJson.response(request.endpoint(), id,
                    created, request.model(), text.toString(), reason, usage));
            return;
        }
        response.write(Sse.data(OpenAiJson.chunk(request.endpoint(), id, created, request.model(), null,
                request.endpoint() == Endpoint.CHAT ? null : "", reason, request.includeUsage())));
        if (request.includeUsage()) {
            response.write(Sse.data(OpenAiJson.usageChunk(request.endpoint(), id, created, request.model(), usage)));
        }
        response.end(Sse.done());
    }

    private void fail(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        metrics.aborted(0, tokens);
        if (response.closed()) {
            return;
        }
        ApiException api = ApiException.internal("generation failed: " + error.getMessage());
        if (!response.headWritten()) {
            NodeServer.Errors.send(ctx, api);
            return;
        }
        // the stream has started: OpenAI-compatible servers report the error as an event, then end
        response.write(Sse.data(new ErrorBody(api.getMessage(), ErrorBody.SERVER_ERROR, null, null).toJson()));
        response.end(Sse.done());
    }

    private void clientGone() {
        if (finished) {
            return;
        }
        finished = true;
        generation.cancel();
        metrics.aborted(0, tokens);
    }

    private static long nanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static String randomId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[24];
        for (int i = 0; i < out.length; i++) {
            out[i] = ID_CHARS[r.nextInt(ID_CHARS.length)];
        }
        return new String(out);
    }
}
