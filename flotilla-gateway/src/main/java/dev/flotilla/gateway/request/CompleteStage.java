package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.NodeBadAnswerException;
import dev.flotilla.gateway.dispatch.NodeErrorStatusException;
import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.observability.Outcome;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.protocol.ApiException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Complete: runs on every path (success, client error, node error, timeout, client cancel),
 * records the outcome, reports the node's part in it to the registry, and then releases the node's
 * outstanding count (exactly once, the lease is idempotent) (passive health: 5xx, unreachable and
 * timeout count as failures, 2xx and 4xx as successes, cancellations not at all). A successful
 * stream's time to first token is reported too, for latency-outlier detection. Tokens in and out
 * are counted from what Stream read of the answer, whatever the outcome. Passes the
 * request's failure on so the HTTP edge can answer with an error body. The same outcome goes to
 * the node's circuit breaker; an attempt the retry loop abandoned was reported there already.
 */
final class CompleteStage implements Stage {
    private final NodeRegistry registry;
    private final GatewayMetrics metrics;
    private final LongSupplier nanoTicker;
    private final NodeCircuits circuits;
    private final Scheduler scheduler;

    CompleteStage(NodeRegistry registry, GatewayMetrics metrics, LongSupplier nanoTicker, NodeCircuits circuits,
                  Scheduler scheduler) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.metrics = metrics;
        this.nanoTicker = nanoTicker;
        this.circuits = circuits;
    }

    @Override
    public String name() {
        return "complete";
    }

    @Override
    public Future<Void> run(RequestContext ctx) {
        try {
            record(ctx);
        } finally {
            // released last: the release of a removed node's last request makes it leave the fleet, and
            // nothing may record against the node after that (its metric series are dropped then)
            if (ctx.lease() != null) {
                ctx.lease().release();
            }
        }
        return ctx.failure() == null ? Future.succeededFuture() : Future.failedFuture(ctx.failure());
    }

    private void record(RequestContext ctx) {
        String node = ctx.chosen() == null ? GatewayMetrics.NONE : ctx.chosen().name();
        GatewayMetrics.Series series = ctx.series();
        if (series == null) {
            series = metrics.series(metrics.modelLabel(ctx.request() == null ? null : ctx.request().model()), node);
        }
        Outcome outcome = outcome(ctx);
        series.request(outcome, nanoTicker.getAsLong() - ctx.startNanos());
        StreamScanner scanned = ctx.scanner();
        if (scanned != null) {
            // usage when the node sent it; a stream without it counts its events with output
            long generated = scanned.completionTokens() >= 0 ? scanned.completionTokens()
                    : ctx.request().stream() ? scanned.outputEvents() : -1;
            series.tokens(scanned.promptTokens(), generated);
        }
        reportCircuit(ctx, outcome);
        AttemptEnd.tell(scheduler, ctx, outcome, nanoTicker.getAsLong());
        if (ctx.attemptReported()) {
            return;
        }
        NodeSnapshot current = ctx.chosen() == null ? null : registry.snapshot(node);
        // the same server: a node replaced under its name (new URL) is not blamed for the old one's requests
        if (current != null && current.baseUrl().equals(ctx.chosen().baseUrl())) {
            switch (outcome) {
                case OK -> {
                    registry.requestFinished(node, false);
                    if (ctx.firstTokenNanos() != 0) {
                        registry.latencySample(node, ctx.request().model(),
                                Duration.ofNanos(ctx.firstTokenNanos() - ctx.dispatchedNanos()));
                    } else if (!ctx.request().stream()) {
                        // the whole answer: what a non-streamed hedge's p95 delay is taken from
                        registry.responseTimeSample(node, ctx.request().model(),
                                Duration.ofNanos(nanoTicker.getAsLong() - ctx.dispatchedNanos()));
                    }
                }
                case UNREACHABLE, TIMEOUT -> registry.requestFinished(node, true);
                // a 4xx from the node is the client's fault, a 5xx the node's
                case NODE_ERROR -> registry.requestFinished(node, ctx.upstreamStatus() >= 500
                        || ctx.failure() instanceof NodeBadAnswerException);
                default -> { }
            }
        }
    }

    /** The last attempt's outcome for the chosen node's circuit: the node's 4xx is a success, a cancel no outcome. */
    private void reportCircuit(RequestContext ctx, Outcome outcome) {
        if (!ctx.permitHeld() || ctx.chosen() == null) {
            return;
        }
        ctx.permitHeld(false);
        String node = ctx.chosen().name();
        long took = nanoTicker.getAsLong() - ctx.dispatchedNanos();
        switch (outcome) {
            case OK -> circuits.success(node, took);
            case NODE_ERROR -> {
                if (ctx.failure() instanceof NodeBadAnswerException bad) {
                    circuits.failure(node, took, bad);
                } else if (ctx.upstreamStatus() >= 500) {
                    circuits.failure(node, took, new NodeErrorStatusException(node, ctx.upstreamStatus()));
                } else {
                    circuits.success(node, took);
                }
            }
            case UNREACHABLE, TIMEOUT -> circuits.failure(node, took, ctx.failure() == null
                    ? new NodeUnreachableException(node, new IllegalStateException("failed")) : ctx.failure());
            default -> circuits.release(node);
        }
    }

    static Outcome outcome(RequestContext ctx) {
        Throwable failure = ctx.failure();
        if (failure == null) {
            int status = ctx.upstreamStatus();
            return status >= 200 && status < 300 ? Outcome.OK : Outcome.NODE_ERROR;
        }
        return outcome(failure);
    }

    static Outcome outcome(Throwable failure) {
        if (failure instanceof ClientCancelledException) {
            return Outcome.CANCELLED;
        }
        if (failure instanceof NodeUnreachableException) {
            return Outcome.UNREACHABLE;
        }
        if (failure instanceof NodeTimeoutException) {
            return Outcome.TIMEOUT;
        }
        if (failure instanceof NodeErrorStatusException || failure instanceof NodeBadAnswerException) {
            return Outcome.NODE_ERROR;
        }
        if (failure instanceof ApiException api) {
            if (api.status() == 503) {
                return Outcome.NO_NODE;
            }
            return api.status() < 500 ? Outcome.CLIENT_ERROR : Outcome.INTERNAL;
        }
        return Outcome.INTERNAL;
    }
}
