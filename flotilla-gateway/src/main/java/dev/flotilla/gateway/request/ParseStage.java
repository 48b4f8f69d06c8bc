package dev.flotilla.gateway.request;

import dev.flotilla.protocol.InferenceRequests;
import io.vertx.core.Future;

/**
 * Parse: validates the body and reads the fields routing needs (model, stream) in one streaming
 * pass; the original bytes are what gets forwarded, never a re-serialisation. Invalid input fails
 * with a 400 that names the field.
 */
final class ParseStage implements Stage {
    @Override
    public String name() {
        return "parse";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        ctx.request(InferenceRequests.parse(ctx.endpoint(), ctx.body().getBytes()));
        return Future.succeededFuture();
    }
}
