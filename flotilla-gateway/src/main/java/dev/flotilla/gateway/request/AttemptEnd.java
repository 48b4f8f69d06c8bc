package dev.flotilla.gateway.request;

import dev.flotilla.gateway.observability.Outcome;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.spi.Completion;

/**
 * Tells the observing scheduling plugins that an attempt ended, once per dispatched attempt
 * (whether the retry loop abandoned it or Complete ends the request), with what the gateway
 * measured of it.
 */
final class AttemptEnd {
    private AttemptEnd() {
    }

    static void tell(Scheduler scheduler, RequestContext ctx, Outcome outcome, long now) {
        if (!ctx.observed() || ctx.chosen() == null) {
            return;
        }
        ctx.observed(false);
        int prompt = -1;
        int generated = -1;
        StreamScanner scanned = ctx.scanner();
        if (scanned != null) {
            prompt = (int) Math.min(Integer.MAX_VALUE, scanned.promptTokens());
            long out = scanned.completionTokens() >= 0 ? scanned.completionTokens()
                    : ctx.request().stream() ? scanned.outputEvents() : -1;
            generated = (int) Math.min(Integer.MAX_VALUE, out);
        }
        long first = ctx.firstTokenNanos() == 0 ? -1 : ctx.firstTokenNanos() - ctx.dispatchedNanos();
        scheduler.finished(ctx.schedulingRequest(), ctx.chosen().name(),
                new Completion(outcome(ctx, outcome), prompt, generated, first, now - ctx.dispatchedNanos()));
    }

    static Completion.Outcome outcome(RequestContext ctx, Outcome outcome) {
        return switch (outcome) {
            case OK -> Completion.Outcome.SUCCESS;
            case TIMEOUT -> Completion.Outcome.TIMEOUT;
            case CANCELLED -> Completion.Outcome.CANCELLED;
            case NODE_ERROR -> ctx.upstreamStatus() >= 400 && ctx.upstreamStatus() < 500
                    ? Completion.Outcome.REJECTED : Completion.Outcome.ERROR;
            default -> Completion.Outcome.ERROR;
        };
    }
}
