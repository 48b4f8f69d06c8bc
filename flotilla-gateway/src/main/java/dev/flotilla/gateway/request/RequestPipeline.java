package dev.flotilla.gateway.request;

import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.scheduling.Scheduler;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The request path as one pipeline of named stages: Parse → Authenticate → Admit → Candidates →
 * Score → Pick → Dispatch → Stream → Complete. Complete runs on every path, so the node's load
 * count is released whether the request succeeds, fails, times out or is cancelled.
 */
public final class RequestPipeline {
    private final Stage parse = new ParseStage();
    private final Stage authenticate = new AuthenticateStage();
    private final Stage admit = new AdmitStage();
    private final Stage candidates;
    private final Stage score = new ScoreStage();
    private final Stage pick;
    private final Stage dispatch;
    private final Stage stream;
    private final Stage complete;

    public RequestPipeline(Scheduler scheduler, NodeRegistry registry, Forwarder forwarder, GatewayMetrics metrics,
                           LongSupplier nanoTicker) {
        this.candidates = new CandidatesStage(scheduler, registry);
        this.pick = new PickStage(scheduler);
        this.dispatch = new DispatchStage(registry, forwarder, nanoTicker);
        this.stream = new StreamStage(forwarder, metrics, nanoTicker);
        this.complete = new CompleteStage(registry, metrics, nanoTicker);
    }

    /** Runs the request through every stage; the future fails with what the client must be told. */
    public Future<Void> handle(RequestContext ctx) {
        return Future.<Void>succeededFuture()
                .compose(v -> parse.run(ctx))
                .compose(v -> authenticate.run(ctx))
                .compose(v -> admit.run(ctx))
                .compose(v -> routeAndDispatch(ctx))
                .compose(v -> stream.run(ctx))
                .transform(result -> complete.run(ctx.finish(result.cause())));
    }

    /** One attempt, and a second on another node when the first node could not be reached at all. */
    private Future<Void> routeAndDispatch(RequestContext ctx) {
        return attempt(ctx).recover(err -> err instanceof NodeUnreachableException && !ctx.clientGone()
                ? attempt(ctx)
                : Future.failedFuture(err));
    }

    private Future<Void> attempt(RequestContext ctx) {
        return candidates.run(ctx)
                .compose(v -> score.run(ctx))
                .compose(v -> pick.run(ctx))
                .compose(v -> dispatch.run(ctx));
    }

    /** The stage names in the order a request passes them. */
    public List<String> stageNames() {
        return List.of(parse, authenticate, admit, candidates, score, pick, dispatch, stream, complete)
                .stream().map(Stage::name).toList();
    }
}
