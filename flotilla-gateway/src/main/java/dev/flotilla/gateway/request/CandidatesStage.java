package dev.flotilla.gateway.request;

import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;

/**
 * Candidates: the nodes that pass the scheduler's filters (up, serving the model), minus nodes
 * already tried. None left: the last node failure on a retry, 404 for a model no node has ever
 * reported, otherwise 503 (the model exists but no node serving it is up).
 */
final class CandidatesStage implements Stage {
    private final Scheduler scheduler;
    private final NodeRegistry registry;

    CandidatesStage(Scheduler scheduler, NodeRegistry registry) {
        this.scheduler = scheduler;
        this.registry = registry;
    }

    @Override
    public String name() {
        return "candidates";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        String model = ctx.request().model();
        List<NodeSnapshot> candidates = scheduler.candidates(ctx.request(), registry.snapshots(), Set.copyOf(ctx.tried()));
        if (!candidates.isEmpty()) {
            ctx.candidates(candidates);
            return Future.succeededFuture();
        }
        if (ctx.lastNodeFailure() != null) {
            return Future.failedFuture(ctx.lastNodeFailure());
        }
        if (!registry.everServed(model)) {
            return Future.failedFuture(ApiException.modelNotFound(model));
        }
        return Future.failedFuture(ApiException.unavailable(
                "No node serving the model '" + model + "' is up; retry later"));
    }
}
