package dev.flotilla.gateway.request;

import io.vertx.core.Future;

/**
 * Score: a pass-through today, because the only policy (least-requests) decides in Pick. The
 * scheduling issue adds weighted scorers here.
 */
final class ScoreStage implements Stage {
    @Override
    public String name() {
        return "score";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        return Future.succeededFuture();
    }
}
