package dev.flotilla.gateway.request;

import io.vertx.core.Future;

/** One named step of the request pipeline; fails its future to end the request with an error. */
public interface Stage {
    String name();

    Future<Void> run(RequestContext ctx);
}
