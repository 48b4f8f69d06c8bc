package dev.flotilla.gateway.api;

import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.request.RequestContext;
import dev.flotilla.gateway.request.RequestPipeline;
import dev.flotilla.protocol.ApiException;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.ErrorBody;
import dev.flotilla.protocol.ModelCard;
import dev.flotilla.protocol.OpenAiJson;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The gateway's HTTP surface: the OpenAI endpoints, {@code /v1/models}, {@code /health} and
 * {@code /metrics}, the admin API ({@link AdminApi}) when given, and APIs of other modules under their
 * prefixes ({@link MountedApi}, e.g. the planner's under {@code /planner}), loopback only. Handlers
 * are thin: they hand inference requests to the {@link RequestPipeline} and map failures through
 * {@link ErrorResponses}; every error, routing ones included, is an OpenAI error body. Nothing here blocks the event loop.
 */
public final class GatewayRouter {
    private final RequestPipeline pipeline;
    private final NodeRegistry registry;
    private final GatewayMetrics metrics;
    private final ErrorResponses errors;
    private final long maxBodyBytes;
    private final long createdEpochSeconds;
    private final LongSupplier nanoTicker;
    private final AdminApi admin;
    private final List<MountedApi> mounted;

    public GatewayRouter(RequestPipeline pipeline, NodeRegistry registry, GatewayMetrics metrics, ErrorResponses errors,
                         long maxBodyBytes, long createdEpochSeconds, LongSupplier nanoTicker) {
        this(pipeline, registry, metrics, errors, maxBodyBytes, createdEpochSeconds, nanoTicker, null);
    }

    /** @param admin the admin API to serve under {@code /admin/}, or null for none */
    public GatewayRouter(RequestPipeline pipeline, NodeRegistry registry, GatewayMetrics metrics, ErrorResponses errors,
                         long maxBodyBytes, long createdEpochSeconds, LongSupplier nanoTicker, AdminApi admin) {
        this(pipeline, registry, metrics, errors, maxBodyBytes, createdEpochSeconds, nanoTicker, admin, List.of());
    }

    /**
     * @param admin   the admin API to serve under {@code /admin/}, or null for none
     * @param mounted APIs of other modules to serve under their prefixes, from loopback only
     */
    public GatewayRouter(RequestPipeline pipeline, NodeRegistry registry, GatewayMetrics metrics, ErrorResponses errors,
                         long maxBodyBytes, long createdEpochSeconds, LongSupplier nanoTicker, AdminApi admin,
                         List<MountedApi> mounted) {
        this.admin = admin;
        this.mounted = List.copyOf(mounted);
        this.pipeline = pipeline;
        this.registry = registry;
        this.metrics = metrics;
        this.errors = errors;
        this.maxBodyBytes = maxBodyBytes;
        this.createdEpochSeconds = createdEpochSeconds;
        this.nanoTicker = nanoTicker;
    }

    /** A router for one server instance (one per event loop). */
    public Router create(Vertx vertx) {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
        router.post(Endpoint.CHAT.path()).handler(body).handler(ctx -> inference(ctx, Endpoint.CHAT));
        router.post(Endpoint.COMPLETIONS.path()).handler(body).handler(ctx -> inference(ctx, Endpoint.COMPLETIONS));
        router.get("/v1/models").handler(this::models);
        router.get("/health").handler(this::health);
        router.get("/metrics").handler(this::metrics);
        if (admin != null) {
            admin.mount(router);
        }
        for (MountedApi api : mounted) {
            router.route(api.prefix() + "/*").handler(rc -> loopbackOnly(rc, api));
            router.route(api.prefix() + "/*").subRouter(api.routers().apply(vertx));
        }
        router.errorHandler(404, ctx -> error(ctx, ApiException.notFound(
                "Unknown path: " + ctx.request().method() + " " + ctx.request().path())));
        router.errorHandler(405, ctx -> error(ctx, new ApiException(405, new ErrorBody(
                "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(),
                ErrorBody.INVALID_REQUEST, null, "method_not_allowed"))));
        router.errorHandler(413, ctx -> error(ctx, new ApiException(413, new ErrorBody(
                "The request body is larger than the limit of " + maxBodyBytes + " bytes",
                ErrorBody.INVALID_REQUEST, null, "request_too_large"))));
        router.errorHandler(400, ctx -> error(ctx, ApiException.invalidRequest(null, "invalid_request",
                "The request could not be read: " + (ctx.failure() == null ? "bad request" : ctx.failure().getMessage()))));
        router.errorHandler(500, ctx -> error(ctx, ErrorResponses.toApi(
                ctx.failure() == null ? new IllegalStateException("unknown") : ctx.failure())));
        return router;
    }

    private void inference(RoutingContext rc, Endpoint endpoint) {
        RequestContext ctx = new RequestContext(endpoint, rc.body().buffer(), rc.response(), nanoTicker.getAsLong());
        ctx.sessionHeader(rc.request().getHeader(RequestContext.SESSION_HEADER));
        rc.response().closeHandler(v -> ctx.clientClosed());
        pipeline.handle(ctx).onFailure(err -> errors.send(rc.response(), err));
    }

    private void models(RoutingContext rc) {
        List<ModelCard> cards = new ArrayList<>();
        for (String id : registry.modelsUp()) {
            cards.add(new ModelCard(id, createdEpochSeconds, "flotilla"));
        }
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(OpenAiJson.modelList(cards));
    }

    private void health(RoutingContext rc) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end("{\"status\":\"ok\",\"nodes_up\":" + registry.upCount() + ",\"nodes_total\":" + registry.size() + "}");
    }

    private void metrics(RoutingContext rc) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, GatewayMetrics.CONTENT_TYPE).end(metrics.scrape());
    }

    private void loopbackOnly(RoutingContext rc, MountedApi api) {
        SocketAddress remote = rc.request().remoteAddress();
        if (remote != null && LoopbackOnly.isLoopback(remote.hostAddress())) {
            rc.next();
            return;
        }
        errors.send(rc.response(), new ApiException(403, new ErrorBody("The " + api.name()
                + " is reachable from loopback only; this connection comes from "
                + (remote == null ? "an unknown address" : remote.hostAddress()), ErrorBody.INVALID_REQUEST, null,
                "loopback_only")));
    }

    private void error(RoutingContext rc, ApiException api) {
        if (!rc.response().ended()) {
            errors.send(rc.response(), api);
        }
    }
}
