package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeErrorStatusException;
import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.LongSupplier;

/**
 * Dispatch: counts the request against the chosen node (one request, and its tokens in flight:
 * {@link Scheduler#tokensInFlight}), tells the observing scheduling plugins, and sends it the original body with the
 * model's connect and idle timeouts; a stream also gets its first-token timer. Until the node's
 * response starts, a failure releases the count at once; an unreachable node is marked down
 * immediately (passive health) so that a retry and other requests skip it. A 5xx answer fails the
 * attempt (kept, so it can still be passed through when no retry is made). A node removed from the
 * fleet between the pick and the dispatch gets nothing and the attempt fails as unreachable.
 */
final class DispatchStage implements Stage {
    private final NodeRegistry registry;
    private final Forwarder forwarder;
    private final LongSupplier nanoTicker;
    private final Timers timers;
    private final Scheduler scheduler;

    DispatchStage(NodeRegistry registry, Forwarder forwarder, LongSupplier nanoTicker, Timers timers,
                  Scheduler scheduler) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.forwarder = forwarder;
        this.nanoTicker = nanoTicker;
        this.timers = timers;
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
        ctx.dispatchedAttempt(true);
        ctx.tried().add(node.name());
        NodeRegistry.Lease lease = registry.tryAcquire(node, Scheduler.tokensInFlight(ctx.schedulingRequest()))
                .orElse(null);
        if (lease == null) {
            // the node left the fleet between the pick and now: nothing was sent, so try another one
            // (and record nothing against it: its metric series are gone with it)
            ctx.chosen(null);
            return Future.failedFuture(new NodeUnreachableException(node.name(),
                    new IllegalStateException("removed from the fleet")));
        }
        ctx.lease(lease);
        ctx.dispatched(nanoTicker.getAsLong());
        scheduler.dispatched(ctx.schedulingRequest(), node);
        ctx.observed(true);
        Promise<Void> sent = Promise.promise();
        ctx.onAttemptFailure(sent::tryFail);
        if (ctx.request().stream()) {
            long ms = ctx.timeouts().firstToken().toMillis();
            ctx.attemptTimer(timers.schedule(ms, () -> ctx.timedOut(NodeTimeoutException.firstToken(node.name(), ms),
                    false)));
        }
        // an attempt ended (timeout, a hedge that won) before its request or answer exists leaves the
        // context to the next attempt: the late request is reset instead of taking the context's place
        forwarder.send(node, ctx.endpoint(), ctx.body(), ctx.timeouts(), request -> {
                    if (sent.future().isComplete()) {
                        request.reset();
                    } else {
                        ctx.upstreamRequest(request);
                    }
                })
                .onSuccess(response -> {
                    if (sent.future().isComplete()) {
                        response.request().reset();
                        return;
                    }
                    ctx.upstreamResponse(response);
                    if (response.statusCode() >= 500) {
                        sent.tryFail(new NodeErrorStatusException(node.name(), response.statusCode()));
                    } else {
                        sent.tryComplete();
                    }
                })
                .onFailure(sent::tryFail);
        return sent.future().recover(err -> {
            if (err instanceof NodeErrorStatusException || err instanceof NodeTimeoutException) {
                return Future.failedFuture(err);
            }
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
