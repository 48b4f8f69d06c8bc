package dev.flotilla.gateway.request;

import io.vertx.core.Future;

/**
 * Admit: a pass-through today; no limits or queue apply yet. The admission issue fills it with
 * rate limits, concurrency limits and the priority queue.
 */
final class AdmitStage implements Stage {
    @Override
    public String name() {
        return "admit";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        return Future.succeededFuture();
    }
}
