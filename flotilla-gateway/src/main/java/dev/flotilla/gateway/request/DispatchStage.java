package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import io.vertx.core.Future;
import java.util.function.LongSupplier;

/**
 * Dispatch: counts the request against the chosen node and sends it the original body. Until the
 * node's response starts, a failure releases the count at once; an unreachable node is marked
 * down immediately (passive health) so that the retry and other requests skip it. A node removed
 * from the fleet between the pick and the dispatch gets nothing; the request is tried once on
 * another node, as for an unreachable one.
 */
final class DispatchStage implements Stage {
    private final NodeRegistry registry;
    private final Forwarder forwarder;
    private final LongSupplier nanoTicker;

    DispatchStage(NodeRegistry registry, Forwarder forwarder, LongSupplier nanoTicker) {
        this.registry = registry;
        this.forwarder = forwarder;
        this.nanoTicker = nanoTicker;
    }

    @Override
    public String name() {
        return "dispatch";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        if (ctx.clientGone()) {
            return Future.failedFuture(new ClientCancelledException());
        }
        NodeSnapshot node = ctx.chosen();
        ctx.tried().add(node.name());
        NodeRegistry.Lease lease = registry.tryAcquire(node).orElse(null);
        if (lease == null) {
            // the node left the fleet between the pick and now: nothing was sent, so try another one
            // (and record nothing against it: its metric series are gone with it)
            ctx.chosen(null);
            return Future.failedFuture(new NodeUnreachableException(node.name(),
                    new IllegalStateException("removed from the fleet")));
        }
        ctx.lease(lease);
        ctx.dispatched(nanoTicker.getAsLong());
        return forwarder.send(node, ctx.endpoint(), ctx.body(), ctx::upstreamRequest)
                .<Void>map(response -> {
                    ctx.upstreamResponse(response);
                    return null;
                })
                .recover(err -> {
                    lease.release();
                    if (ctx.clientGone()) {
                        return Future.failedFuture(new ClientCancelledException());
                    }
                    if (err instanceof NodeUnreachableException unreachable) {
                        registry.connectionFailed(node.name(), unreachable.getMessage());
                        ctx.lastNodeFailure(unreachable);
                    }
                    return Future.failedFuture(err);
                });
    }
}
