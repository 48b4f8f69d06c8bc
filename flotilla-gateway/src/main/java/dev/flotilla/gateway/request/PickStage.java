package dev.flotilla.gateway.request;

import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import io.vertx.core.Future;

/** Pick: the routing policy chooses one candidate. */
final class PickStage implements Stage {
    private final Scheduler scheduler;

    PickStage(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    @Override
    public String name() {
        return "pick";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        return scheduler.pick(ctx.candidates(), ctx.request())
                .map(node -> {
                    ctx.chosen(node);
                    return Future.<Void>succeededFuture();
                })
                .orElseGet(() -> Future.failedFuture(ApiException.unavailable(
                        "The routing policy '" + scheduler.policy() + "' chose no node for the model '"
                                + ctx.request().model() + "'")));
    }
}
