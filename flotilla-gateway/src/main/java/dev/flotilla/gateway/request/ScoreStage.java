package dev.flotilla.gateway.request;

import dev.flotilla.gateway.scheduling.Scheduler;
import io.vertx.core.Future;

/**
 * Score: the request's profile's scorers rate the candidates; the weighted totals (one per
 * candidate) go to Pick.
 */
final class ScoreStage implements Stage {
    private final Scheduler scheduler;

    ScoreStage(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public String name() {
        return "score";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        double[] totals = new double[ctx.candidates().size()];
        scheduler.score(ctx.schedulingRequest(), ctx.candidates(), totals);
        ctx.totals(totals);
        return Future.succeededFuture();
    }
}
