package dev.flotilla.gateway.api;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.function.Function;

/**
 * An HTTP API of another module served by the gateway under a path prefix, e.g. the capacity
 * planner's Inferno-compatible API under {@code /planner}. Like the admin API it answers clients on
 * loopback only (DESIGN.md, "Security"). The gateway asks {@code routers} for one router per server
 * instance; the routers of one API share its state.
 *
 * @param prefix  the path it is served under: {@code /} and a name, e.g. {@code /planner}
 * @param name    what it is called in the loopback refusal, e.g. {@code planner API}
 * @param routers a router for each server instance
 */
public record MountedApi(String prefix, String name, Function<Vertx, Router> routers) {

    public MountedApi {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routers, "routers");
        if (!prefix.matches("/[A-Za-z0-9_-]+") || prefix.equals("/v1") || prefix.equals("/admin")) {
            throw new IllegalArgumentException("prefix: \"" + prefix + "\" (expected: / and a name, not /v1 or /admin)");
        }
    }
}
