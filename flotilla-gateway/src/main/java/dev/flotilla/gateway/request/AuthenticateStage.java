package dev.flotilla.gateway.request;

import io.vertx.core.Future;

/**
 * Authenticate: a pass-through today; every request is accepted (the gateway listens on loopback
 * by default). The admission issue fills it with API keys and tenants.
 */
final class AuthenticateStage implements Stage {
    @Override
    public String name() {
        return "authenticate";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        return Future.succeededFuture();
    }
}
