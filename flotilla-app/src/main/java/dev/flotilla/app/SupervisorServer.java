package dev.flotilla.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The supervisor's status for operators and Prometheus, on its own loopback port:
 * {@code GET /metrics} ({@code flotilla_supervisor_restarts_total}, {@code flotilla_supervisor_child_up},
 * {@code flotilla_supervisor_child_given_up}, each by {@code child}) and {@code GET /status} (JSON: every
 * child's state, pid, URL, restarts and last exit). It runs on the JDK's built-in HTTP server: two
 * read-only endpoints scraped every few seconds need no event loop, and {@code up} itself runs no
 * Vert.x; the gateway's port stays the gateway's, so a gateway restart never takes this down.
 */
final class SupervisorServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<List<Supervisor.ChildStatus>> status;

    private SupervisorServer(HttpServer server, Supplier<List<Supervisor.ChildStatus>> status) {
        this.server = server;
        this.status = status;
        // counters and gauges read the supervisor's state at scrape time: one source of truth
        CounterWithCallback.builder().name("flotilla_supervisor_restarts")
                .help("Restarts of a child of flotilla up after it exited (each start attempt counts).")
                .labelNames("child")
                .callback(cb -> status.get().forEach(c -> cb.call(c.restarts(), c.name()))).register(registry);
        GaugeWithCallback.builder().name("flotilla_supervisor_child_up")
                .help("1 while the child's process runs and has announced it is ready, else 0.")
                .labelNames("child")
                .callback(cb -> status.get().forEach(c -> cb.call(
                        Supervisor.State.RUNNING.label().equals(c.state()) ? 1 : 0, c.name()))).register(registry);
        GaugeWithCallback.builder().name("flotilla_supervisor_child_given_up")
                .help("1 once the child kept crashing and was left down, else 0.")
                .labelNames("child")
                .callback(cb -> status.get().forEach(c -> cb.call(
                        Supervisor.State.GIVEN_UP.label().equals(c.state()) ? 1 : 0, c.name()))).register(registry);
        server.createContext("/", this::handle);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Listens on {@code host:port} (0 for any free port); throws {@link IllegalStateException} naming
     * the address when it cannot.
     */
    static SupervisorServer start(String host, int port, Supplier<List<Supervisor.ChildStatus>> status) {
        try {
            return new SupervisorServer(HttpServer.create(new InetSocketAddress(host, port), 16), status);
        } catch (IOException e) {
            throw new IllegalStateException("the supervisor cannot listen on " + host + ":" + port + ": "
                    + e.getMessage() + " (choose another with --supervisor-port N, or 0 for any free port)", e);
        }
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8081}. */
    String url() {
        InetSocketAddress a = server.getAddress();
        return "http://" + a.getHostString() + ":" + a.getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "application/json", "{\"error\":\"only GET is served here\"}");
            } else if ("/metrics".equals(path)) {
                send(exchange, 200, PrometheusTextFormatWriter.CONTENT_TYPE, scrape());
            } else if ("/status".equals(path)) {
                send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("children", status.get())));
            } else {
                send(exchange, 404, "application/json", "{\"error\":\"unknown path " + path.replace("\"", "")
                        + "; expected /status or /metrics\"}");
            }
        }
    }

    private String scrape() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            writer.write(buf, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
