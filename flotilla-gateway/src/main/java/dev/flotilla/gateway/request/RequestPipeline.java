package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeBadAnswerException;
import dev.flotilla.gateway.dispatch.NodeErrorStatusException;
import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.ErrorBody;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The request path as one pipeline of named stages: Parse → Authenticate → Admit → Candidates →
 * Score → Pick → Dispatch → Stream → Complete. Complete runs on every path, so the node's load
 * count is released whether the request succeeds, fails, times out or is cancelled.
 *
 * <p>Candidates to Stream are one attempt. An attempt that fails before the client has received
 * anything (node unreachable or reset, 5xx, timeout before the first token) is retried on a node
 * not tried yet, up to {@code dispatch.retry.maxAttempts} attempts and only while the
 * {@link RetryBudget} has room; 4xx answers are never retried. When no retry is made a 5xx answer
 * is passed to the client unchanged. A stream that fails after the client has received part of it
 * is continued on another node from the text already sent ({@link Continuation}), within the same
 * attempt limit and budget. With hedging on for the request (its model, else its scheduling profile,
 * else {@code dispatch.hedge}), a first attempt without an answer after the hedge delay gets a second
 * copy on another node; the first to answer (a stream's first output, a non-streamed request's whole
 * valid body) is kept ({@link Hedger}). A first attempt that fails while its hedge runs hands the
 * request to the hedge instead of a new retry.
 */
public final class RequestPipeline {
    private final Stage parse = new ParseStage();
    private final Stage authenticate = new AuthenticateStage();
    private final Stage admit = new AdmitStage();
    private final Stage candidates;
    private final Stage score;
    private final Stage pick;
    private final Stage dispatch;
    private final Stage stream;
    private final Stage complete;
    private final NodeRegistry registry;
    private final GatewayMetrics metrics;
    private final LongSupplier nanoTicker;
    private final Failover failover;
    private final Scheduler scheduler;
    private final Hedger hedger;

    /** A pipeline with the default failover settings, timers of the Vert.x that runs each request. */
    public RequestPipeline(Scheduler scheduler, NodeRegistry registry, Forwarder forwarder, GatewayMetrics metrics,
                           LongSupplier nanoTicker) {
        this(scheduler, registry, forwarder, metrics, nanoTicker, new Failover(GatewayConfig.defaults(),
                new RetryBudget(GatewayConfig.Retry.defaults(), nanoTicker),
                new NodeCircuits(GatewayConfig.Circuit.defaults(), Clock.systemUTC(), (n, s) -> { }), Timers.current()));
    }

    public RequestPipeline(Scheduler scheduler, NodeRegistry registry, Forwarder forwarder, GatewayMetrics metrics,
                           LongSupplier nanoTicker, Failover failover) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.metrics = metrics;
        this.nanoTicker = nanoTicker;
        this.failover = failover;
        this.candidates = new CandidatesStage(scheduler, registry, failover.circuits());
        this.score = new ScoreStage(scheduler);
        this.pick = new PickStage(scheduler, failover.circuits());
        this.dispatch = new DispatchStage(registry, forwarder, nanoTicker, failover.timers(), scheduler);
        this.stream = new StreamStage(forwarder, metrics, nanoTicker, failover.timers(), failover.keptBytes());
        this.complete = new CompleteStage(registry, metrics, nanoTicker, failover.circuits(), scheduler);
        this.hedger = new Hedger(scheduler, registry, forwarder, failover, metrics, nanoTicker);
    }

    /** Runs the request through every stage; the future fails with what the client must be told. */
    public Future<Void> handle(RequestContext ctx) {
        return Future.<Void>succeededFuture()
                .compose(v -> parse.run(ctx))
                .compose(v -> authenticate.run(ctx))
                .compose(v -> admit.run(ctx))
                .compose(v -> {
                    start(ctx);
                    return attempt(ctx).recover(err -> retryOrGiveUp(ctx, err));
                })
                .transform(result -> {
                    cancelTimers(ctx);
                    ctx.continuation(null); // the kept bytes' room goes back to the gateway
                    return complete.run(ctx.finish(result.cause()));
                });
    }

    /** Counts the request in the retry budget, reads its model's timeouts and starts the total timer. */
    private void start(RequestContext ctx) {
        failover.budget().request();
        GatewayConfig.Timeouts timeouts = failover.config().timeouts(ctx.request().model());
        ctx.timeouts(timeouts);
        long ms = timeouts.total().toMillis();
        ctx.totalTimer(failover.timers().schedule(ms, () -> ctx.timedOut(NodeTimeoutException.total(
                ctx.chosen() == null ? GatewayMetrics.NONE : ctx.chosen().name(), ms), true)));
    }

    private Future<Void> attempt(RequestContext ctx) {
        ctx.newAttempt();
        return candidates.run(ctx)
                .compose(v -> score.run(ctx))
                .compose(v -> pick.run(ctx))
                .compose(v -> {
                    hedger.arm(ctx);
                    return dispatch.run(ctx);
                })
                .compose(v -> stream.run(ctx));
    }

    private Future<Void> retryOrGiveUp(RequestContext ctx, Throwable err) {
        if (err instanceof HedgeWonException) {
            cancelAttempt(ctx);
            hedger.adopt(ctx);
            return stream.run(ctx).recover(next -> retryOrGiveUp(ctx, next));
        }
        String reason = retryReason(err);
        if (reason == null || !ctx.dispatchedAttempt() || ctx.clientGone() || ctx.totalTimedOut()) {
            return giveUp(ctx, err);
        }
        if (hedger.running(ctx) && !ctx.response().headWritten()) {
            // the running hedge is already this request's retry on another node: keep it rather than
            // cancel it and send another (it took its retry from the budget when it was sent)
            metrics.retry(metrics.modelLabel(ctx.request().model()), reason);
            abandonAttempt(ctx, err, false);
            return hedger.takeOver(ctx).compose(v -> stream.run(ctx)).recover(next -> retryOrGiveUp(ctx, next));
        }
        // the client has part of a stream: only a continuation on another node can save it
        Buffer continuation = null;
        if (ctx.response().headWritten()) {
            if (ctx.continuation() == null || !untriedNodeLeft(ctx)
                    || ctx.attempts() >= failover.config().dispatch().retry().maxAttempts()) {
                return giveUp(ctx, err);
            }
            continuation = ctx.continuation().continuationBody(ctx.endpoint(), ctx.body());
            if (continuation == null) {
                return giveUp(ctx, err);
            }
        }
        if (ctx.attempts() >= failover.config().dispatch().retry().maxAttempts() || !untriedNodeLeft(ctx)) {
            return giveUp(ctx, err);
        }
        if (!failover.budget().tryRetry()) {
            metrics.retryBudgetExhausted();
            return giveUp(ctx, err);
        }
        metrics.retry(metrics.modelLabel(ctx.request().model()), reason);
        abandonAttempt(ctx, err, true);
        if (continuation != null) {
            metrics.continuation(metrics.modelLabel(ctx.request().model()));
            ctx.continueWith(continuation);
        }
        return attempt(ctx).recover(next -> retryOrGiveUp(ctx, next));
    }

    /** Whether some node not tried yet could take the request (so a retry does not spend the budget for nothing). */
    private boolean untriedNodeLeft(RequestContext ctx) {
        for (var node : scheduler.candidates(ctx.schedulingRequest(), registry.snapshots(), Set.copyOf(ctx.tried()))) {
            if (!"open".equals(failover.circuits().state(node.name()))) {
                return true;
            }
        }
        return false;
    }

    /** No retry: a node's 5xx answer goes to the client as it is; any other failure is the request's. */
    private Future<Void> giveUp(RequestContext ctx, Throwable err) {
        if (err instanceof NodeErrorStatusException && ctx.upstreamResponse() != null && !ctx.clientGone()) {
            return stream.run(ctx);
        }
        return Future.failedFuture(err);
    }

    /**
     * Ends a failed attempt before the next: its node is told of the failure (passive health and
     * its circuit), its answer if any is dropped, and its load count released. A running hedge is
     * cancelled unless it is to be the next attempt ({@code cancelHedge} false).
     */
    private void abandonAttempt(RequestContext ctx, Throwable err, boolean cancelHedge) {
        if (cancelHedge) {
            hedger.cancel(ctx, "cancelled");
        }
        if (ctx.attemptTimer() >= 0) {
            failover.timers().cancel(ctx.attemptTimer());
            ctx.attemptTimer(-1);
        }
        ctx.abandonUpstream();
        if (ctx.chosen() != null) {
            String node = ctx.chosen().name();
            if (ctx.permitHeld()) {
                ctx.permitHeld(false);
                failover.circuits().failure(node, nanoTicker.getAsLong() - ctx.dispatchedNanos(), err);
            }
            if (registry.snapshot(node) != null) {
                registry.requestFinished(node, true);
            }
        }
        ctx.attemptReported(true);
        AttemptEnd.tell(scheduler, ctx, CompleteStage.outcome(err), nanoTicker.getAsLong());
        if (ctx.lease() != null) {
            ctx.lease().release();
        }
        ctx.lastNodeFailure(err instanceof NodeErrorStatusException status
                ? new ApiException(502, new ErrorBody("Every node tried failed; the last answered " + status.status()
                        + " (" + status.getMessage() + ")", ErrorBody.SERVER_ERROR, null, "node_error"))
                : (RuntimeException) err);
    }

    /**
     * Ends an attempt whose hedge won, blaming nobody: its answer is dropped, its circuit permit
     * given back without an outcome, the scheduler told CANCELLED and its load count released.
     */
    private void cancelAttempt(RequestContext ctx) {
        if (ctx.attemptTimer() >= 0) {
            failover.timers().cancel(ctx.attemptTimer());
            ctx.attemptTimer(-1);
        }
        ctx.abandonUpstream();
        if (ctx.chosen() != null && ctx.permitHeld()) {
            ctx.permitHeld(false);
            failover.circuits().release(ctx.chosen().name());
        }
        AttemptEnd.tell(scheduler, ctx, dev.flotilla.gateway.observability.Outcome.CANCELLED, nanoTicker.getAsLong());
        if (ctx.lease() != null) {
            ctx.lease().release();
        }
    }

    private void cancelTimers(RequestContext ctx) {
        hedger.cancel(ctx, "cancelled");
        if (ctx.attemptTimer() >= 0) {
            failover.timers().cancel(ctx.attemptTimer());
            ctx.attemptTimer(-1);
        }
        if (ctx.totalTimer() >= 0) {
            failover.timers().cancel(ctx.totalTimer());
            ctx.totalTimer(-1);
        }
    }

    /** The {@code reason} label of a failure worth another node, or null for one that is not. */
    static String retryReason(Throwable err) {
        if (err instanceof NodeUnreachableException) {
            return "unreachable";
        }
        if (err instanceof NodeErrorStatusException) {
            return "server_error";
        }
        if (err instanceof NodeTimeoutException) {
            return "timeout";
        }
        if (err instanceof NodeBadAnswerException) {
            return "bad_answer";
        }
        return null;
    }

    /** The stage names in the order a request passes them. */
    public List<String> stageNames() {
        return List.of(parse, authenticate, admit, candidates, score, pick, dispatch, stream, complete)
                .stream().map(Stage::name).toList();
    }
}
