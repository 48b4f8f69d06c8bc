package dev.flotilla.gateway.request;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import io.vertx.core.Future;

/**
 * Pick: the request's profile's picker chooses one candidate from Score's totals; the circuit permissions of the others are given
 * back (all of them when the policy chooses none).
 */
final class PickStage implements Stage {
    private final Scheduler scheduler;
    private final NodeCircuits circuits;

    PickStage(Scheduler scheduler, NodeCircuits circuits) {
        this.scheduler = scheduler;
        this.circuits = circuits;
    }

    @Override
    public String name() {
        return "pick";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        int chosen = scheduler.choose(ctx.schedulingRequest(), ctx.candidates(), ctx.totals());
        NodeSnapshot picked = chosen < 0 ? null : ctx.candidates().get(chosen);
        for (NodeSnapshot candidate : ctx.candidates()) {
            if (candidate != picked) {
                circuits.release(candidate.name());
            }
        }
        return java.util.Optional.ofNullable(picked)
                .map(node -> {
                    ctx.chosen(node);
                    ctx.permitHeld(true);
                    return Future.<Void>succeededFuture();
                })
                .orElseGet(() -> Future.failedFuture(ApiException.unavailable(
                        "The routing policy '" + scheduler.policy() + "' chose no node for the model '"
                                + ctx.request().model() + "'")));
    }
}
