package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeBadAnswerException;
import dev.flotilla.gateway.dispatch.NodeErrorStatusException;
import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.spi.Completion;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Hedging ({@code models.<name>.hedge}, else the scheduling profile's {@code hedge}, else
 * {@code dispatch.hedge}): a request whose first attempt has no answer after the hedge delay gets a
 * second copy on another node. For a stream the answer is its first event with output: Stream holds
 * a successful answer's bytes back until then, so neither copy has written anything to the client
 * before it has a token, and the first copy with output wins. For a non-streamed request the answer
 * is the whole body, held by both copies until it is complete and checked to be a JSON object
 * ({@link JsonAnswer}), so the first complete valid answer wins; its delay is the node's p95 of whole
 * response times, not of times to first token. When the hedge wins, its output so far is kept and the first
 * attempt is ended with {@link HedgeWonException}, which the pipeline turns into a cancel of the
 * first node and a continuation on the hedge's answer; when the first attempt wins (or the request
 * ends otherwise) the hedge is cancelled: reset, its load released, its circuit permit given back
 * without an outcome, the scheduler told CANCELLED. When the first attempt fails while the hedge
 * runs, the hedge is not cancelled but taken over as the request's next attempt ({@link #takeOver}).
 * At most one hedge per request, only on a node not tried yet, and only while the
 * {@link RetryBudget} has room.
 */
final class Hedger {
    private final Scheduler scheduler;
    private final NodeRegistry registry;
    private final Forwarder forwarder;
    private final Failover failover;
    private final GatewayMetrics metrics;
    private final LongSupplier nanoTicker;

    Hedger(Scheduler scheduler, NodeRegistry registry, Forwarder forwarder, Failover failover, GatewayMetrics metrics,
           LongSupplier nanoTicker) {
        this.scheduler = scheduler;
        this.registry = registry;
        this.forwarder = forwarder;
        this.failover = failover;
        this.metrics = metrics;
        this.nanoTicker = nanoTicker;
    }

    /** One request's hedge: confined to the request's event loop like the rest of its state. */
    static final class Hedge {
        /** TAKEN: the first attempt failed while the hedge ran, and the hedge became the request's attempt. */
        private enum State { ARMED, RUNNING, WON, TAKEN, ENDED }

        private State state = State.ARMED;
        private long timer = -1;
        private NodeSnapshot node;
        private NodeRegistry.Lease lease;
        private HttpClientRequest request;
        private HttpClientResponse response;
        private Buffer held;
        /** Whether {@link #held} is the hedge's whole answer (non-streamed): its response has ended. */
        private boolean complete;
        private long sentNanos;
        /** After a take-over: completed when the hedge's answer starts, failed with its node's failure. */
        private Promise<Void> takeover;
    }

    /** Arms the hedge timer when the first attempt of a request is about to be dispatched and hedging is on for it. */
    void arm(RequestContext ctx) {
        if (ctx.attempts() != 1 || ctx.hedge() != null || ctx.chosen() == null || ctx.continuation() != null) {
            return;
        }
        GatewayConfig.Hedge config = config(ctx);
        if (!config.enabled()) {
            return;
        }
        long ms = delayMillis(config, registry, ctx.chosen().name(), ctx.request().model(), ctx.request().stream());
        Hedge h = new Hedge();
        ctx.hedge(h);
        ctx.onFirstOutput(() -> cancel(ctx, "lost"));
        h.timer = failover.timers().schedule(ms, () -> {
            h.timer = -1;
            start(ctx, h);
        });
    }

    /**
     * How long a request's first attempt on {@code node} waits for its answer before the hedge is
     * sent: the fixed delay, or the node's recent p95 for the model, within minDelay and maxDelay. A
     * non-streamed answer arrives whole, so its p95 is of whole response times, not of times to first
     * token (which would hedge nearly every non-streamed request).
     */
    static long delayMillis(GatewayConfig.Hedge config, NodeRegistry registry, String node, String model, boolean stream) {
        return config.delayMillis(stream ? registry.p95TimeToFirstTokenMillis(node, model)
                : registry.p95ResponseTimeMillis(node, model));
    }

    /** The hedging in effect for the request: its model's, else its scheduling profile's, else {@code dispatch.hedge}. */
    GatewayConfig.Hedge config(RequestContext ctx) {
        String profile = ctx.schedulingRequest() == null ? null : scheduler.profile(ctx.schedulingRequest()).name();
        return failover.config().hedge(ctx.request().model(), profile);
    }

    private void start(RequestContext ctx, Hedge h) {
        if (h.state != Hedge.State.ARMED || ctx.attempts() != 1 || ctx.clientGone() || ctx.totalTimedOut()
                || ctx.firstTokenNanos() != 0 || ctx.response().headWritten()) {
            return;
        }
        h.state = Hedge.State.ENDED;
        NodeCircuits circuits = failover.circuits();
        List<NodeSnapshot> candidates = new ArrayList<>();
        for (NodeSnapshot n : scheduler.candidates(ctx.schedulingRequest(), registry.snapshots(), Set.copyOf(ctx.tried()))) {
            if (circuits.tryAcquire(n.name())) {
                candidates.add(n);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        double[] totals = new double[candidates.size()];
        scheduler.score(ctx.schedulingRequest(), candidates, totals);
        int chosen = scheduler.choose(ctx.schedulingRequest(), candidates, totals);
        NodeSnapshot node = chosen < 0 ? null : candidates.get(chosen);
        for (NodeSnapshot c : candidates) {
            if (c != node) {
                circuits.release(c.name());
            }
        }
        if (node == null) {
            return;
        }
        if (!failover.budget().tryRetry()) {
            circuits.release(node.name());
            metrics.retryBudgetExhausted();
            return;
        }
        NodeRegistry.Lease lease = registry.tryAcquire(node, Scheduler.tokensInFlight(ctx.schedulingRequest())).orElse(null);
        if (lease == null) {
            circuits.release(node.name());
            return;
        }
        h.state = Hedge.State.RUNNING;
        h.node = node;
        h.lease = lease;
        h.sentNanos = nanoTicker.getAsLong();
        // a later retry of the first attempt does not go to the hedge's node either
        ctx.tried().add(node.name());
        scheduler.dispatched(ctx.schedulingRequest(), node);
        forwarder.send(node, ctx.endpoint(), ctx.body(), ctx.timeouts(), request -> {
            h.request = request;
            if (h.state == Hedge.State.ENDED) {
                request.reset();
            } else if (h.state == Hedge.State.TAKEN) {
                // the request's attempt now: a client that left resets it
                ctx.upstreamRequest(request);
            }
        }).onSuccess(response -> responded(ctx, h, response))
                .onFailure(err -> failed(ctx, h, err));
    }

    private void responded(RequestContext ctx, Hedge h, HttpClientResponse in) {
        if (h.state == Hedge.State.TAKEN) {
            h.response = in;
            handOver(ctx, h);
            return;
        }
        if (h.state != Hedge.State.RUNNING) {
            return;
        }
        if (in.statusCode() != 200) {
            failed(ctx, h, new NodeErrorStatusException(h.node.name(), in.statusCode()));
            return;
        }
        h.response = in;
        if (!ctx.request().stream()) {
            readWhole(ctx, h, in);
            return;
        }
        StreamScanner scanner = StreamScanner.forEvents();
        Buffer held = Buffer.buffer();
        h.held = held;
        in.handler(chunk -> {
            if (h.state != Hedge.State.RUNNING) {
                return;
            }
            held.appendBuffer(chunk);
            if (scanner.feed(chunk) > 0 && ctx.firstTokenNanos() == 0 && !ctx.response().headWritten()) {
                // the hedge has output first: the pipeline takes its answer over from here
                in.pause();
                h.state = Hedge.State.WON;
                h.held = held;
                ctx.interrupt(new HedgeWonException(h.node.name()));
            }
        });
        in.exceptionHandler(err -> failed(ctx, h, forwarder.classify(h.node.name(), err, ctx.timeouts().idle().toMillis())));
        in.endHandler(v -> failed(ctx, h, new NodeBadAnswerException(h.node.name(), "the hedge's stream ended without output")));
        // the forwarder hands answers over paused
        in.resume();
    }

    /**
     * A non-streamed hedge's answer: held until it is complete, then it wins if it is one JSON object
     * and the first attempt has not begun to answer the client; a body that is not one fails the hedge.
     */
    private void readWhole(RequestContext ctx, Hedge h, HttpClientResponse in) {
        Buffer body = Buffer.buffer();
        h.held = body;
        in.handler(chunk -> {
            if (h.state == Hedge.State.RUNNING) {
                body.appendBuffer(chunk);
            }
        });
        in.exceptionHandler(err -> failed(ctx, h, forwarder.classify(h.node.name(), err, ctx.timeouts().idle().toMillis())));
        in.endHandler(v -> {
            if (h.state != Hedge.State.RUNNING) {
                return;
            }
            String problem = JsonAnswer.problem(body);
            if (problem != null) {
                failed(ctx, h, new NodeBadAnswerException(h.node.name(), problem));
                return;
            }
            if (ctx.response().headWritten()) {
                // the first attempt's answer (an error passed through) is already on its way to the client
                cancel(ctx, "lost");
                return;
            }
            h.state = Hedge.State.WON;
            h.held = body;
            h.complete = true;
            ctx.interrupt(new HedgeWonException(h.node.name()));
        });
        // the forwarder hands answers over paused
        in.resume();
    }

    /** The hedge's node failed: the first attempt goes on alone; the node's circuit and the scheduler hear of it. */
    private void failed(RequestContext ctx, Hedge h, Throwable err) {
        if (h.state == Hedge.State.TAKEN) {
            // the request's attempt now: the pipeline reports it like any attempt (circuit, health, load)
            h.state = Hedge.State.ENDED;
            if (err instanceof NodeUnreachableException unreachable) {
                registry.connectionFailed(h.node.name(), unreachable.getMessage());
            }
            h.takeover.tryFail(ctx.clientGone() ? new ClientCancelledException() : err);
            return;
        }
        if (h.state != Hedge.State.RUNNING) {
            return;
        }
        long took = nanoTicker.getAsLong() - h.sentNanos;
        failover.circuits().failure(h.node.name(), took, err);
        end(ctx, h, Completion.Outcome.ERROR, took, "failed");
    }

    /**
     * Ends the request's hedge if it has one not taken over: an armed one is disarmed, a running one
     * cancelled and counted with {@code outcome} ({@code lost} or {@code cancelled}).
     */
    void cancel(RequestContext ctx, String outcome) {
        Hedge h = ctx.hedge();
        if (h == null) {
            return;
        }
        if (h.timer >= 0) {
            failover.timers().cancel(h.timer);
            h.timer = -1;
        }
        if (h.state == Hedge.State.ARMED) {
            h.state = Hedge.State.ENDED;
            return;
        }
        if (h.state != Hedge.State.RUNNING) {
            return;
        }
        failover.circuits().release(h.node.name());
        end(ctx, h, Completion.Outcome.CANCELLED, nanoTicker.getAsLong() - h.sentNanos, outcome);
    }

    /**
     * Ends a running hedge that did not become the request's attempt (its circuit already told):
     * its request reset, the scheduler told how it ended, its load released, counted with {@code counted}.
     */
    private void end(RequestContext ctx, Hedge h, Completion.Outcome outcome, long tookNanos, String counted) {
        h.state = Hedge.State.ENDED;
        if (h.request != null) {
            h.request.reset();
        }
        scheduler.finished(ctx.schedulingRequest(), h.node.name(), new Completion(outcome, -1, -1, -1, tookNanos));
        h.lease.release();
        metrics.hedge(metrics.modelLabel(ctx.request().model()), counted);
    }

    /** Whether the request's hedge has been sent and is still racing the first attempt. */
    boolean running(RequestContext ctx) {
        return ctx.hedge() != null && ctx.hedge().state == Hedge.State.RUNNING;
    }

    /**
     * The first attempt failed (and was abandoned) while the hedge runs: rather than cancel the hedge
     * and send a retry elsewhere, the hedge becomes the request's attempt, as if it were the retry
     * (it took its retry from the budget when it was sent). The returned future completes when the
     * hedge's answer has begun (Stream then reads it, whatever it read before included) and fails as
     * Dispatch would: a 5xx answer (kept for passing through), a node that could not be reached.
     */
    Future<Void> takeOver(RequestContext ctx) {
        Hedge h = ctx.hedge();
        h.state = Hedge.State.TAKEN;
        h.takeover = Promise.promise();
        becomeAttempt(ctx, h);
        ctx.onAttemptFailure(h.takeover::tryFail);
        ctx.onClientGone(() -> h.takeover.tryFail(new ClientCancelledException()));
        if (h.request != null) {
            ctx.upstreamRequest(h.request);
        }
        if (ctx.request().stream()) {
            // the first-token timeout runs from when the hedge was sent, as Dispatch's does for an attempt
            long ms = ctx.timeouts().firstToken().toMillis();
            long left = Math.max(1, ms - (nanoTicker.getAsLong() - h.sentNanos) / 1_000_000);
            String node = h.node.name();
            ctx.attemptTimer(failover.timers().schedule(left, () -> ctx.timedOut(
                    NodeTimeoutException.firstToken(node, ms), false)));
        }
        h.takeover.future().onFailure(err -> {
            if (h.state == Hedge.State.TAKEN) {
                // ended before its answer began (client gone, total timeout): the node stops too
                h.state = Hedge.State.ENDED;
                if (h.request != null) {
                    h.request.reset();
                }
            }
        });
        metrics.hedge(metrics.modelLabel(ctx.request().model()), "won");
        if (h.response != null) {
            handOver(ctx, h);
        }
        return h.takeover.future();
    }

    /** A taken-over hedge's answer has begun: it is the attempt's answer from here on, as Dispatch hands one to Stream. */
    private void handOver(RequestContext ctx, Hedge h) {
        h.state = Hedge.State.ENDED;
        HttpClientResponse in = h.response;
        in.pause();
        ctx.upstreamResponse(in);
        if (in.statusCode() >= 500) {
            h.takeover.tryFail(new NodeErrorStatusException(h.node.name(), in.statusCode()));
            return;
        }
        if (h.held != null && h.held.length() > 0) {
            ctx.early(h.held, false);
        }
        h.takeover.tryComplete();
    }

    /** The context's attempt becomes the hedge's: a new attempt on its node, with its load lease and permit. */
    private static void becomeAttempt(RequestContext ctx, Hedge h) {
        ctx.newAttempt();
        ctx.continuation(null);
        ctx.chosen(h.node);
        ctx.permitHeld(true);
        ctx.dispatchedAttempt(true);
        ctx.lease(h.lease);
        ctx.dispatched(h.sentNanos);
        ctx.observed(true);
    }

    /**
     * The hedge won: the context's attempt becomes the hedge's (a new attempt on its node, its load,
     * permit and answer), with its output so far to be written first. The first attempt must have
     * been ended already.
     */
    void adopt(RequestContext ctx) {
        Hedge h = ctx.hedge();
        h.state = Hedge.State.ENDED;
        becomeAttempt(ctx, h);
        ctx.upstreamRequest(h.request);
        ctx.upstreamResponse(h.response);
        ctx.early(h.held, h.complete);
        metrics.hedge(metrics.modelLabel(ctx.request().model()), "won");
    }
}
