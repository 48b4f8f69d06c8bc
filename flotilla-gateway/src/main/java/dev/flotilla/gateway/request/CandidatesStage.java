package dev.flotilla.gateway.request;

import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Candidates: the nodes that pass the scheduler's filters (up, serving the model), minus nodes
 * already tried, minus nodes whose circuit breaker is open (or half-open with no probe left): each
 * remaining candidate holds a circuit permission until Pick gives back those of the others. None
 * left: the last node failure on a retry, 404 for a model no node has ever reported, otherwise 503
 * (the model exists but no node serving it is up, or every such node's circuit is open).
 */
final class CandidatesStage implements Stage {
    private final Scheduler scheduler;
    private final NodeRegistry registry;
    private final NodeCircuits circuits;

    CandidatesStage(Scheduler scheduler, NodeRegistry registry, NodeCircuits circuits) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.circuits = circuits;
    }

    @Override
    public String name() {
        return "candidates";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        String model = ctx.request().model();
        if (ctx.schedulingRequest() == null) {
            ctx.schedulingRequest(scheduler.describe(ctx.request(), ctx.sessionKey()));
        }
        List<NodeSnapshot> up = scheduler.candidates(ctx.schedulingRequest(), registry.snapshots(), Set.copyOf(ctx.tried()));
        List<NodeSnapshot> candidates = new ArrayList<>(up.size());
        for (NodeSnapshot node : up) {
            if (circuits.tryAcquire(node.name())) {
                candidates.add(node);
            }
        }
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
        if (!up.isEmpty()) {
            return Future.failedFuture(ApiException.unavailable("Every node serving the model '" + model
                    + "' has failed too often recently (circuit open); retry later"));
        }
        return Future.failedFuture(ApiException.unavailable(
                "No node serving the model '" + model + "' is up; retry later"));
    }
}
