package dev.flotilla.gateway;

import dev.flotilla.gateway.api.ErrorResponses;
import dev.flotilla.gateway.api.GatewayRouter;
import dev.flotilla.gateway.api.MountedApi;
import dev.flotilla.gateway.config.ConfigLoader;
import dev.flotilla.gateway.config.ConfigWatcher;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.dispatch.Forwarder;
import dev.flotilla.gateway.fleet.FileNodeSync;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.api.AdminApi;
import dev.flotilla.gateway.fleet.telemetry.NodeHistory;
import dev.flotilla.gateway.health.HealthChecker;
import dev.flotilla.gateway.health.TelemetryScraper;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.request.Failover;
import dev.flotilla.gateway.request.NodeCircuits;
import dev.flotilla.gateway.request.RequestPipeline;
import dev.flotilla.gateway.request.RetryBudget;
import dev.flotilla.gateway.request.Timers;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.Profiles;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * A running gateway: one OpenAI-compatible endpoint in front of the configured nodes. Start it
 * with {@link #start(GatewayConfig, Clock)} (blocking, owns its Vert.x) or
 * {@link #start(Vertx, GatewayConfig, Clock)} (on the caller's Vert.x); both validate the
 * configuration first, run one health check and one telemetry scrape round, then listen. {@link #close()}
 * drains: the listener closes at once (new connections are refused), idle connections close, requests
 * in flight get {@code listen.shutdownGrace} to finish, then what is left is closed.
 * Nodes join and leave while it runs through the admin API, through {@link #registry()}, and,
 * when {@link #watchConfig} was called, by edits of its YAML file.
 */
public final class Gateway implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Gateway.class);
    private static final long START_TIMEOUT_SECONDS = 60;
    /** What {@link #close()} allows beyond the grace: closing connections, clients and Vert.x. */
    private static final Duration CLOSE_MARGIN = Duration.ofSeconds(10);
    /** How long the config file's directory must be quiet after a change before the file is read. */
    public static final Duration CONFIG_QUIET = Duration.ofMillis(250);

    private final Vertx vertx;
    private final boolean ownsVertx;
    private final GatewayConfig config;
    private final NodeRegistry registry;
    private final GatewayMetrics metrics;
    private final HealthChecker health;
    private final HttpClientOptions nodeClientOptions;
    private final PoolOptions nodePoolOptions;
    private final HttpClient healthClient;
    private final HttpClient scrapeClient;
    private final TelemetryScraper scraper;
    private final List<String> deployments = new ArrayList<>();
    private final List<MountedApi> mounted;
    private final SchedulingPlugins plugins;
    private int port;
    private ConfigWatcher watcher;
    private Future<Void> stopping;

    private Gateway(Vertx vertx, boolean ownsVertx, GatewayConfig config, Clock clock,
                    List<MountedApi> mounted, SchedulingPlugins plugins) {
        this.plugins = plugins;
        this.vertx = vertx;
        this.mounted = List.copyOf(mounted);
        this.ownsVertx = ownsVertx;
        this.config = config;
        this.registry = new NodeRegistry(config.nodes(), clock, config.telemetry().staleAfter(), config.health());
        this.metrics = new GatewayMetrics(registry);
        GatewayConfig.Dispatch d = config.dispatch();
        this.nodeClientOptions = new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, d.connectTimeout().toMillis()));
        this.nodePoolOptions = new PoolOptions().setHttp1MaxSize(d.poolSize()).setMaxWaitQueueSize(-1);
        this.healthClient = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(2));
        this.health = new HealthChecker(vertx, healthClient, registry, config.health().interval(), config.health().timeout());
        this.scrapeClient = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(2));
        this.scraper = new TelemetryScraper(vertx, scrapeClient, registry, metrics, config.telemetry(), clock,
                System::nanoTime);
    }

    /** A config loader that knows this gateway's routing policies (for YAML files and the environment). */
    public static ConfigLoader configLoader() {
        return new ConfigLoader(SchedulingPlugins.builtIn());
    }

    /**
     * Starts a gateway on its own Vert.x and returns when it listens. Throws
     * {@link dev.flotilla.gateway.config.ConfigException} for an invalid config and
     * {@link IllegalStateException} when it cannot listen (for example the port is taken).
     */
    public static Gateway start(GatewayConfig config, Clock clock) {
        return start(config, clock, List.of());
    }

    /**
     * As {@link #start(GatewayConfig, Clock)}, also serving other modules' APIs under their prefixes
     * (loopback only), e.g. the capacity planner's under {@code /planner}.
     */
    public static Gateway start(GatewayConfig config, Clock clock, List<MountedApi> mounted) {
        return start(config, clock, mounted, SchedulingPlugins.builtIn());
    }

    /**
     * As {@link #start(GatewayConfig, Clock, List)}, with the scheduling plugins of {@code plugins}
     * (for example {@link SchedulingPlugins#builtIn()} with more registered) for the profiles.
     */
    public static Gateway start(GatewayConfig config, Clock clock, List<MountedApi> mounted, SchedulingPlugins plugins) {
        new ConfigLoader(plugins).validate(config);
        Vertx vertx = Vertx.vertx();
        try {
            return start(vertx, true, config, clock, mounted, plugins).toCompletionStage().toCompletableFuture()
                    .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            vertx.close();
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            vertx.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the gateway", e);
        } catch (TimeoutException e) {
            vertx.close();
            throw new IllegalStateException("the gateway did not start within " + START_TIMEOUT_SECONDS + " s", e);
        }
    }

    /** Starts a gateway on the caller's Vert.x (which {@link #close()} leaves running). */
    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, Clock clock) {
        try {
            configLoader().validate(config);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
        return start(vertx, false, config, clock, List.of(), SchedulingPlugins.builtIn());
    }

    private static Future<Gateway> start(Vertx vertx, boolean ownsVertx, GatewayConfig config, Clock clock,
                                         List<MountedApi> mounted, SchedulingPlugins plugins) {
        Gateway gateway = new Gateway(vertx, ownsVertx, config, clock, mounted, plugins);
        return onEventLoop(vertx, () -> Future.join(gateway.health.start(), gateway.scraper.start())
                .compose(v -> gateway.listen(clock))
                .map(v -> gateway)
                .recover(err -> gateway.shutdown().transform(ignored -> Future.failedFuture(err))));
    }

    /**
     * Runs a chain of Vert.x futures on an event loop. Chained from another thread, a step whose
     * future has already completed runs on the caller's thread, racing the event loop for the
     * same connection (a response body can then be lost and its future never complete).
     */
    private static <T> Future<T> onEventLoop(Vertx vertx, java.util.function.Supplier<Future<T>> chain) {
        if (Vertx.currentContext() != null) {
            return chain.get();
        }
        io.vertx.core.Promise<T> result = io.vertx.core.Promise.promise();
        vertx.runOnContext(v -> chain.get().onComplete(result));
        return result.future();
    }

    private Future<Void> listen(Clock clock) {
        LongSupplier ticker = System::nanoTime;
        long retryAfter = Math.max(1, (config.health().interval().toMillis() + 999) / 1000);
        ErrorResponses errors = new ErrorResponses(retryAfter);
        long created = clock.instant().getEpochSecond();
        // each server instance gets its own node client, so that a request and its upstream
        // connection live on the same event loop: a shared client hops every chunk between loops
        // shared by every event loop: the retry budget counts the gateway's traffic, a circuit a node's
        NodeCircuits circuits = new NodeCircuits(config.dispatch().circuit(), clock, metrics::circuitTransition);
        registry.addMembershipListener(e -> {
            if (e instanceof dev.flotilla.gateway.fleet.MembershipEvent.Removed removed) {
                circuits.remove(removed.node());
            }
        });
        PluginContext pluginContext = new PluginContext(clock, java.util.concurrent.ThreadLocalRandom.current().nextLong(),
                node -> !"open".equals(circuits.state(node)), config::modelSizeGb);
        Scheduler scheduler = new Scheduler(Profiles.build(plugins, config.scheduling(),
                config.routing().policy(), pluginContext, metrics.schedulingMetrics()), clock, ticker);
        Failover failover = new Failover(config, new RetryBudget(config.dispatch().retry(), ticker), circuits,
                Timers.of(vertx));
        metrics.keptBytes(failover.keptBytes()::used);
        AdminApi admin = new AdminApi(registry, scraper::history, clock, errors, circuits::state, scheduler,
                config::hedge);
        java.util.function.Function<HttpClient, GatewayRouter> routers = client -> new GatewayRouter(
                new RequestPipeline(scheduler, registry, new Forwarder(client, config.dispatch()), metrics, ticker,
                        failover),
                registry, metrics, errors, config.listen().maxBodyBytes(), created, ticker, admin, mounted);
        String host = config.listen().host();
        int instances = config.listen().effectiveEventLoops();
        // Vert.x shares one listening socket among instances bound to the same host and port
        // (for port 0 Vert.x shares a random port only when asked with a negative port number;
        // on a caller's Vert.x another gateway might hold that shared port, so one instance binds 0)
        boolean ephemeral = config.listen().port() == 0;
        int listenPort = ephemeral && ownsVertx ? -1 : config.listen().port();
        int instanceCount = ephemeral && !ownsVertx ? 1 : instances;
        java.util.Set<Integer> bound = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Duration grace = config.listen().shutdownGrace();
        return vertx.deployVerticle(() -> new ServerVerticle(routers, nodeClientOptions, nodePoolOptions, host,
                                listenPort, bound, grace),
                        new DeploymentOptions().setInstances(instanceCount))
                .compose(id -> {
                    deployments.add(id);
                    if (bound.size() != 1) {
                        return Future.failedFuture(new IllegalStateException("server instances bound different ports " + bound));
                    }
                    port = bound.iterator().next();
                    return Future.succeededFuture();
                })
                .<Void>mapEmpty()
                .recover(err -> Future.failedFuture(new IllegalStateException("Cannot listen on " + host + ":"
                        + config.listen().port() + ": " + describe(err)
                        + " (set listen.port or FLOTILLA_LISTEN_PORT to a free port, or 0 for any free port)", err)));
    }

    private static String describe(Throwable err) {
        for (Throwable t = err; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return "address already in use";
            }
        }
        return err.getMessage();
    }

    /** The port the gateway listens on (the bound one when the config said 0). */
    public int port() {
        return port;
    }

    /** The base URL of the OpenAI endpoint, e.g. {@code http://127.0.0.1:8080}; clients add {@code /v1/...}. */
    public URI url() {
        String host = config.listen().host();
        if ("0.0.0.0".equals(host) || "::".equals(host)) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
    }

    /** The configuration it started with; the nodes of the running fleet are {@link #nodes()}. */
    public GatewayConfig config() {
        return config;
    }

    /** The live node registry (snapshots, up/down, outstanding requests, membership changes). */
    public NodeRegistry registry() {
        return registry;
    }

    /** The current node snapshots in fleet order (configuration order, nodes added later appended). */
    public List<NodeSnapshot> nodes() {
        return registry.snapshots();
    }

    /** Prometheus text of the gateway's metrics (the same as {@code GET /metrics}). */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** The recent telemetry history of the named node, or null when there is no such node. */
    public NodeHistory history(String node) {
        return scraper.history(node);
    }

    /**
     * Watches the YAML file this gateway's configuration was loaded from and applies its node
     * edits while it runs ({@link FileNodeSync} has the rules: the file owns the nodes it declares,
     * nodes added through the admin API are kept). An invalid version is logged at WARN and
     * ignored; other sections need a restart and are logged as such. {@code env} is the
     * environment the configuration was loaded with, applied to every version again. Stopped by
     * {@link #close()}; call at most once.
     *
     * @return the watcher (its {@link ConfigWatcher#last()} tells what the last read of the file gave)
     * @throws java.io.UncheckedIOException when the file's directory cannot be watched
     */
    public synchronized ConfigWatcher watchConfig(Path file, Map<String, String> env) {
        if (watcher != null) {
            throw new IllegalStateException("already watching " + watcher.file());
        }
        FileNodeSync sync = new FileNodeSync(registry, config.nodes(), String.valueOf(file.getFileName()));
        watcher = ConfigWatcher.start(file, new ConfigLoader(plugins), env, config, c -> sync.apply(c.nodes()), CONFIG_QUIET);
        return watcher;
    }

    /** Scrapes every node's /metrics now; completes when every scrape has finished. */
    public Future<Void> scrapeNodes() {
        return onEventLoop(vertx, scraper::scrapeAll);
    }

    /** Runs one health check round now; completes when every node has been checked. */
    public Future<Void> checkNodes() {
        return onEventLoop(vertx, health::checkAll);
    }

    /**
     * Drains and stops: the listener closes at once, so new connections are refused (the port is
     * free for a replacement at once, and a refused connection tells a client or load balancer
     * that nothing was sent, so retrying elsewhere is safe); idle keep-alive connections close; a
     * connection with a request in flight reads no new request and closes once its response
     * ends. Requests still running after {@code listen.shutdownGrace} have their connections
     * closed. Then the node clients close. Called again, it returns the same future.
     */
    public synchronized Future<Void> shutdown() {
        // once: a shutdown hook and an explicit close may both ask, and a closed Vert.x runs nothing more
        if (stopping == null) {
            stopping = onEventLoop(vertx, this::stopAll);
        }
        return stopping;
    }

    private Future<Void> stopAll() {
        synchronized (this) {
            if (watcher != null) {
                watcher.close();
            }
        }
        health.stop();
        scraper.stop();
        long started = System.nanoTime();
        int inFlight = inFlight();
        if (!deployments.isEmpty()) {
            LOG.info("shutting down: new connections are refused; {} request(s) in flight get up to {} ms to finish",
                    inFlight, config.listen().shutdownGrace().toMillis());
        }
        List<Future<?>> undeployed = new ArrayList<>();
        for (String id : List.copyOf(deployments)) {
            undeployed.add(vertx.undeploy(id));
        }
        boolean served = !deployments.isEmpty();
        deployments.clear();
        return Future.join(undeployed)
                .onComplete(ignored -> {
                    if (served) {
                        long took = (System.nanoTime() - started) / 1_000_000;
                        if (took >= config.listen().shutdownGrace().toMillis() && inFlight > 0) {
                            LOG.warn("shutdown grace of {} ms over: closed the connections of requests still running",
                                    config.listen().shutdownGrace().toMillis());
                        } else {
                            LOG.info("drained in {} ms", took);
                        }
                    }
                })
                .transform(ignored -> healthClient.close())
                .transform(ignored -> scrapeClient.close())
                .transform(ignored -> ownsVertx ? vertx.close() : Future.succeededFuture());
    }

    private int inFlight() {
        int n = 0;
        for (NodeSnapshot s : registry.snapshots()) {
            n += s.outstanding();
        }
        return n;
    }

    /**
     * Blocking {@link #shutdown()}: returns once the drain is over, within {@code listen.shutdownGrace}
     * and a few seconds; call it from a thread that is not a Vert.x event loop.
     */
    @Override
    public void close() {
        try {
            shutdown().toCompletionStage().toCompletableFuture()
                    .get(config.listen().shutdownGrace().plus(CLOSE_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the gateway did not shut down cleanly: " + e.getMessage(), e);
        }
    }

    /** One HTTP server instance on its own event loop; several share the port to use every core. */
    private static final class ServerVerticle extends VerticleBase {
        private final java.util.function.Function<HttpClient, GatewayRouter> routers;
        private final HttpClientOptions clientOptions;
        private final PoolOptions poolOptions;
        private final String host;
        private final int port;
        private final java.util.Set<Integer> bound;
        private final Duration grace;
        private HttpServer server;
        private HttpClient client;

        ServerVerticle(java.util.function.Function<HttpClient, GatewayRouter> routers, HttpClientOptions clientOptions,
                       PoolOptions poolOptions, String host, int port, java.util.Set<Integer> bound, Duration grace) {
            this.routers = routers;
            this.clientOptions = clientOptions;
            this.poolOptions = poolOptions;
            this.host = host;
            this.port = port;
            this.bound = bound;
            this.grace = grace;
        }

        @Override
        public Future<?> start() {
            client = vertx.createHttpClient(clientOptions, poolOptions);
            server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true));
            return server.requestHandler(routers.apply(client).create(vertx)).listen()
                    .onSuccess(s -> bound.add(s.actualPort()));
        }

        /**
         * Vert.x's shutdown unbinds first (the shared socket closes with its last instance), then
         * closes idle connections, lets busy ones end their response, and closes the rest when the
         * grace is over. The node client closes after that: by then every client connection is
         * gone and with it (through cancellation) every upstream request.
         */
        @Override
        public Future<?> stop() {
            return server.shutdown(grace.toMillis(), TimeUnit.MILLISECONDS)
                    .transform(ignored -> client.close());
        }
    }
}
