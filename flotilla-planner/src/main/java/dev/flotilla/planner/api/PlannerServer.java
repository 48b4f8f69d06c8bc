package dev.flotilla.planner.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.net.BindException;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The planner's REST API ({@link PlannerApi}) on its own HTTP server: what {@code flotilla planner
 * serve} runs. It owns its Vert.x; {@link #close()} stops it.
 */
public final class PlannerServer implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 30;

    private final Vertx vertx;
    private final HttpServer server;
    private final String host;

    private PlannerServer(Vertx vertx, HttpServer server, String host) {
        this.vertx = vertx;
        this.server = server;
        this.host = host;
    }

    /**
     * Listens on {@code host:port} (port 0: any free port) and returns once it does.
     *
     * @throws IllegalStateException when it cannot listen, saying why (e.g. the port is taken)
     */
    public static PlannerServer start(String host, int port) {
        Vertx vertx = Vertx.vertx();
        PlannerApi api = PlannerApi.create();
        try {
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                    .requestHandler(api.router(vertx)).listen().toCompletionStage().toCompletableFuture()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new PlannerServer(vertx, server, host);
        } catch (ExecutionException e) {
            vertx.close();
            Throwable cause = e.getCause();
            String why = cause instanceof BindException ? "address already in use" : String.valueOf(cause.getMessage());
            throw new IllegalStateException("Cannot listen on " + host + ":" + port + ": " + why
                    + " (choose another --port, or 0 for any free port)", cause);
        } catch (InterruptedException e) {
            vertx.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the planner server", e);
        } catch (TimeoutException e) {
            vertx.close();
            throw new IllegalStateException("the planner server did not start within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server.actualPort();
    }

    /** Its base URL, e.g. {@code http://127.0.0.1:8090}. */
    public URI url() {
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port());
    }

    @Override
    public void close() {
        try {
            // closing Vert.x closes its servers; waited for here, on the caller's thread, not on an event loop
            vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the planner server did not stop cleanly within " + TIMEOUT_SECONDS + " s: "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
