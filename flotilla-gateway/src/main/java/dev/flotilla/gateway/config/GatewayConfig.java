package dev.flotilla.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;

/**
 * The whole gateway configuration as one immutable record tree. Every part has a default in code,
 * so a caller (for example {@code flotilla up}) builds one in memory with only what differs, and
 * {@link ConfigLoader} builds one from YAML plus {@code FLOTILLA_...} environment overrides.
 * A {@code null} part means "the default"; {@link ConfigLoader#validate} checks the values.
 */
public record GatewayConfig(Listen listen, Health health, Routing routing, Dispatch dispatch, List<Node> nodes,
                            Telemetry telemetry, Map<String, Model> models, Scheduling scheduling) {

    public GatewayConfig {
        listen = Objects.requireNonNullElseGet(listen, Listen::defaults);
        health = Objects.requireNonNullElseGet(health, Health::defaults);
        routing = Objects.requireNonNullElseGet(routing, Routing::defaults);
        dispatch = Objects.requireNonNullElseGet(dispatch, Dispatch::defaults);
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        telemetry = Objects.requireNonNullElseGet(telemetry, Telemetry::defaults);
        models = models == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(models));
        scheduling = Objects.requireNonNullElseGet(scheduling, Scheduling::defaults);
    }

    /** A config with the default scheduling section (the shape before scheduling profiles existed). */
    public GatewayConfig(Listen listen, Health health, Routing routing, Dispatch dispatch, List<Node> nodes,
                         Telemetry telemetry, Map<String, Model> models) {
        this(listen, health, routing, dispatch, nodes, telemetry, models, null);
    }

    /** A config without per-model settings (the shape before failover existed). */
    public GatewayConfig(Listen listen, Health health, Routing routing, Dispatch dispatch, List<Node> nodes,
                         Telemetry telemetry) {
        this(listen, health, routing, dispatch, nodes, telemetry, null);
    }

    /** A config with the default telemetry settings (the shape before telemetry existed). */
    public GatewayConfig(Listen listen, Health health, Routing routing, Dispatch dispatch, List<Node> nodes) {
        this(listen, health, routing, dispatch, nodes, null, null);
    }

    /** Defaults everywhere and no nodes. */
    public static GatewayConfig defaults() {
        return new GatewayConfig(null, null, null, null, List.of());
    }

    /** The defaults with these nodes. */
    public static GatewayConfig of(List<Node> nodes) {
        return new GatewayConfig(null, null, null, null, nodes);
    }

    public GatewayConfig withListen(Listen listen) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withHealth(Health health) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withRouting(Routing routing) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withDispatch(Dispatch dispatch) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withNodes(List<Node> nodes) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withTelemetry(Telemetry telemetry) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withModels(Map<String, Model> models) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    public GatewayConfig withScheduling(Scheduling scheduling) {
        return new GatewayConfig(listen, health, routing, dispatch, nodes, telemetry, models, scheduling);
    }

    /** A model's {@code models.<name>.sizeGb}, or NaN when the configuration does not say. */
    public double modelSizeGb(String model) {
        Model m = model == null ? null : models.get(model);
        return m == null || m.sizeGb() == null ? Double.NaN : m.sizeGb();
    }

    /** The hedging of requests for {@code model}: its own {@code models.<name>.hedge}, else {@code dispatch.hedge}. */
    public Hedge hedge(String model) {
        return hedge(model, null);
    }

    /**
     * The hedging of a request for {@code model} scheduled by the profile named {@code profile}: the
     * model's own {@code models.<name>.hedge}, else the declared profile's
     * {@code scheduling.profiles.<name>.hedge}, else {@code dispatch.hedge}. The most specific block
     * wins whole (each block's absent keys were already filled from {@code dispatch.hedge}).
     */
    public Hedge hedge(String model, String profile) {
        Model m = model == null ? null : models.get(model);
        if (m != null && m.hedge() != null) {
            return m.hedge();
        }
        if (profile != null) {
            for (dev.flotilla.gateway.scheduling.ProfileSpec p : scheduling.profiles()) {
                if (p.name().equals(profile) && p.hedge() != null) {
                    return p.hedge();
                }
            }
        }
        return dispatch.hedge();
    }

    /** The timeouts for a model: its {@code models.<name>.timeouts} over the {@code dispatch} defaults. */
    public Timeouts timeouts(String model) {
        Timeouts defaults = dispatch.timeouts();
        Model m = model == null ? null : models.get(model);
        return m == null || m.timeouts() == null ? defaults : m.timeouts().over(defaults);
    }

    /**
     * Where the OpenAI endpoint listens. Port 0 picks a free port (the gateway reports the bound one).
     *
     * @param maxBodyBytes  larger request bodies are refused with 413
     * @param eventLoops    event loops serving requests, each with its own connections to the nodes;
     *                      0 (the default) means one per core. A gateway that shares its machine with
     *                      nodes, as under {@code flotilla up}, does better with fewer
     * @param shutdownGrace on shutdown the listener closes at once (new connections are refused) and
     *                      requests in flight get this long to finish before their connections are
     *                      closed; 0 closes them at once
     */
    public record Listen(String host, int port, long maxBodyBytes, int eventLoops, Duration shutdownGrace) {
        public static final String DEFAULT_HOST = "127.0.0.1";
        public static final int DEFAULT_PORT = 8080;
        public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
        public static final int MAX_EVENT_LOOPS = 256;
        public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
        public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofHours(1);

        public Listen(String host, int port, long maxBodyBytes) {
            this(host, port, maxBodyBytes, 0);
        }

        public Listen(String host, int port, long maxBodyBytes, int eventLoops) {
            this(host, port, maxBodyBytes, eventLoops, DEFAULT_SHUTDOWN_GRACE);
        }

        public static Listen defaults() {
            return new Listen(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_BODY_BYTES);
        }

        /** Loopback on this port (0 = any free port), default body limit. */
        public static Listen loopback(int port) {
            return new Listen(DEFAULT_HOST, port, DEFAULT_MAX_BODY_BYTES);
        }

        /** The same with another shutdown grace. */
        public Listen withShutdownGrace(Duration grace) {
            return new Listen(host, port, maxBodyBytes, eventLoops, grace);
        }

        /** The event loops to run: {@link #eventLoops()}, or one per core when it is 0. */
        public int effectiveEventLoops() {
            return eventLoops > 0 ? eventLoops : Math.max(1, Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * Health checking and the node state machine. Every {@code interval} each node's {@code /health}
     * (and, when it answers, {@code /v1/models}) is read; no answer within {@code timeout} or a
     * non-200 is a failed check.
     *
     * @param unhealthyAfter      consecutive failed checks that take a healthy node out of rotation
     * @param healthyAfter        consecutive successful checks that bring an unhealthy node back
     *                            (hysteresis: one lucky answer does not put a flapping node back)
     * @param passiveFailures     consecutive failed requests (5xx, unreachable, timeout) that take a
     *                            node out of rotation between checks
     * @param errorRateWindow     the window over which a node's request error rate is measured
     * @param degradedErrorRate   an error rate above this (0 to 1) over the window marks the node degraded
     * @param errorRateMinRequests fewer requests than this in the window never mark a node degraded
     * @param outlierFactor       a node whose median time to first token (streamed requests) is more than
     *                            this many times the median of its peers' medians for the same model is
     *                            degraded; it recovers below 0.8 of it
     * @param outlierMinSamples   samples a node needs in its window before it is judged or counts as a peer
     *                            (at most 50, the samples kept per node and model)
     * @param outlierWindow       samples older than this are dropped, so a degraded node that gets no
     *                            traffic falls below the minimum and recovers
     */
    public record Health(Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter,
                         int passiveFailures, Duration errorRateWindow, double degradedErrorRate,
                         int errorRateMinRequests, double outlierFactor, int outlierMinSamples,
                         Duration outlierWindow) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
        public static final int DEFAULT_UNHEALTHY_AFTER = 1;
        public static final int DEFAULT_HEALTHY_AFTER = 2;
        public static final int DEFAULT_PASSIVE_FAILURES = 3;
        public static final Duration DEFAULT_ERROR_RATE_WINDOW = Duration.ofSeconds(30);
        public static final double DEFAULT_DEGRADED_ERROR_RATE = 0.5;
        public static final int DEFAULT_ERROR_RATE_MIN_REQUESTS = 5;
        public static final double DEFAULT_OUTLIER_FACTOR = 3.0;
        public static final int DEFAULT_OUTLIER_MIN_SAMPLES = 20;
        public static final Duration DEFAULT_OUTLIER_WINDOW = Duration.ofMinutes(1);
        /** Most samples kept per node and model, so the upper bound of {@link #outlierMinSamples}. */
        public static final int MAX_OUTLIER_SAMPLES = 50;

        /** The state machine settings without the latency-outlier ones (those take their defaults). */
        public Health(Duration interval, Duration timeout, int unhealthyAfter, int healthyAfter,
                      int passiveFailures, Duration errorRateWindow, double degradedErrorRate,
                      int errorRateMinRequests) {
            this(interval, timeout, unhealthyAfter, healthyAfter, passiveFailures, errorRateWindow, degradedErrorRate,
                    errorRateMinRequests, DEFAULT_OUTLIER_FACTOR, DEFAULT_OUTLIER_MIN_SAMPLES, DEFAULT_OUTLIER_WINDOW);
        }

        /** Interval and timeout with the default state machine settings. */
        public Health(Duration interval, Duration timeout) {
            this(interval, timeout, DEFAULT_UNHEALTHY_AFTER, DEFAULT_HEALTHY_AFTER, DEFAULT_PASSIVE_FAILURES,
                    DEFAULT_ERROR_RATE_WINDOW, DEFAULT_DEGRADED_ERROR_RATE, DEFAULT_ERROR_RATE_MIN_REQUESTS);
        }

        public static Health defaults() {
            return new Health(DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
        }

        /** These settings with other latency-outlier settings. */
        public Health withOutliers(double factor, int minSamples, Duration window) {
            return new Health(interval, timeout, unhealthyAfter, healthyAfter, passiveFailures, errorRateWindow,
                    degradedErrorRate, errorRateMinRequests, factor, minSamples, window);
        }
    }

    /** Which routing policy picks a node; the known names come from the scheduling plugin registry. */
    public record Routing(String policy) {
        public static final String DEFAULT_POLICY = "flotilla";

        public static Routing defaults() {
            return new Routing(DEFAULT_POLICY);
        }
    }

    /**
     * Forwarding to nodes.
     *
     * @param connectTimeout    how long opening a connection to a node may take
     * @param idleTimeout       no byte from the node for this long ends the request (504 before the
     *                          response starts, a cut stream after); generous because a long answer
     *                          may be preceded by a long queue on the node
     * @param poolSize          keep-alive connections per node
     * @param firstTokenTimeout a stream with no event with output this long after it was sent to a node
     *                          ends that attempt (retried elsewhere: the client has received nothing)
     * @param totalTimeout      the longest a request may take from its arrival, whatever it is doing
     * @param retry             retries on another node, and the budget that caps them
     * @param circuit           the circuit breaker kept per node
     * @param hedge             a second copy of a slow stream sent to another node (off by default)
     */
    public record Dispatch(Duration connectTimeout, Duration idleTimeout, int poolSize, Duration firstTokenTimeout,
                           Duration totalTimeout, Retry retry, Circuit circuit, Hedge hedge) {
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
        public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
        public static final int DEFAULT_POOL_SIZE = 128;
        public static final Duration DEFAULT_FIRST_TOKEN_TIMEOUT = Duration.ofMinutes(10);
        public static final Duration DEFAULT_TOTAL_TIMEOUT = Duration.ofMinutes(30);

        public Dispatch {
            firstTokenTimeout = Objects.requireNonNullElse(firstTokenTimeout, DEFAULT_FIRST_TOKEN_TIMEOUT);
            totalTimeout = Objects.requireNonNullElse(totalTimeout, DEFAULT_TOTAL_TIMEOUT);
            retry = Objects.requireNonNullElseGet(retry, Retry::defaults);
            circuit = Objects.requireNonNullElseGet(circuit, Circuit::defaults);
            hedge = Objects.requireNonNullElseGet(hedge, Hedge::defaults);
        }

        /** Everything but hedging (which stays off). */
        public Dispatch(Duration connectTimeout, Duration idleTimeout, int poolSize, Duration firstTokenTimeout,
                        Duration totalTimeout, Retry retry, Circuit circuit) {
            this(connectTimeout, idleTimeout, poolSize, firstTokenTimeout, totalTimeout, retry, circuit, null);
        }

        /** Connect and idle timeouts and pool size; the rest takes its defaults. */
        public Dispatch(Duration connectTimeout, Duration idleTimeout, int poolSize) {
            this(connectTimeout, idleTimeout, poolSize, null, null, null, null, null);
        }

        public static Dispatch defaults() {
            return new Dispatch(DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_POOL_SIZE);
        }

        public Dispatch withTimeouts(Duration firstToken, Duration total) {
            return new Dispatch(connectTimeout, idleTimeout, poolSize, firstToken, total, retry, circuit, hedge);
        }

        public Dispatch withRetry(Retry retry) {
            return new Dispatch(connectTimeout, idleTimeout, poolSize, firstTokenTimeout, totalTimeout, retry, circuit, hedge);
        }

        public Dispatch withCircuit(Circuit circuit) {
            return new Dispatch(connectTimeout, idleTimeout, poolSize, firstTokenTimeout, totalTimeout, retry, circuit, hedge);
        }

        public Dispatch withHedge(Hedge hedge) {
            return new Dispatch(connectTimeout, idleTimeout, poolSize, firstTokenTimeout, totalTimeout, retry, circuit, hedge);
        }

        /** The four timeouts every model gets unless it overrides them. */
        public Timeouts timeouts() {
            return new Timeouts(connectTimeout, firstTokenTimeout, idleTimeout, totalTimeout);
        }
    }

    /**
     * The timeouts of one request; in {@code models.<name>.timeouts} a {@code null} part means the
     * {@code dispatch} default.
     *
     * @param connect    opening a connection to a node
     * @param firstToken from sending to a node until a stream's first event with output
     * @param idle       no byte from the node for this long (between tokens, or while a node thinks)
     * @param total      from the request's arrival until its last byte
     */
    public record Timeouts(Duration connect, Duration firstToken, Duration idle, Duration total) {
        /** These timeouts with the missing parts taken from {@code defaults}. */
        public Timeouts over(Timeouts defaults) {
            return new Timeouts(Objects.requireNonNullElse(connect, defaults.connect()),
                    Objects.requireNonNullElse(firstToken, defaults.firstToken()),
                    Objects.requireNonNullElse(idle, defaults.idle()),
                    Objects.requireNonNullElse(total, defaults.total()));
        }
    }

    /**
     * What differs for one model (by the name clients use).
     *
     * @param timeouts its timeouts over the {@code dispatch} defaults, or null
     * @param sizeGb   the memory the model needs on a node in GB (for scheduling plugins), or null
     * @param hedge    its hedging (each key over {@code dispatch.hedge}), or null for {@code dispatch.hedge}
     */
    public record Model(Timeouts timeouts, Double sizeGb, Hedge hedge) {
        /** A model with its timeouts only. */
        public Model(Timeouts timeouts) {
            this(timeouts, null, null);
        }

        /** A model with its timeouts and size, hedging as {@code dispatch.hedge}. */
        public Model(Timeouts timeouts, Double sizeGb) {
            this(timeouts, sizeGb, null);
        }
    }

    /**
     * Scheduling profiles and which requests get which ({@code scheduling:} in YAML).
     *
     * @param defaultProfile the profile of requests no model or route names; null: {@code routing.policy}
     * @param models         profile name by model name
     * @param routes         profile name by endpoint path ({@code /v1/chat/completions}, {@code /v1/completions})
     * @param profiles       the declared profiles (a declared profile with a built-in's name replaces it)
     */
    public record Scheduling(String defaultProfile, Map<String, String> models, Map<String, String> routes,
                             List<dev.flotilla.gateway.scheduling.ProfileSpec> profiles) {
        public Scheduling {
            models = models == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(models));
            routes = routes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(routes));
            profiles = profiles == null ? List.of() : List.copyOf(profiles);
        }

        /** No profiles declared; {@code routing.policy} names the default. */
        public static Scheduling defaults() {
            return new Scheduling(null, Map.of(), Map.of(), List.of());
        }
    }

    /**
     * Hedging: a request with no answer {@code delay} after it was sent gets a second copy on another
     * node; the first to answer is kept, the other is cancelled. A stream's answer is its first event
     * with output, a non-streamed request's its whole, valid body. At most one hedge per request,
     * taken from the retry budget.
     *
     * @param enabled  off by default
     * @param delay    how long to wait for the answer; null (the default, {@code delay: p95}) means the
     *                 chosen node's recent p95 for the model: of time to first token for a stream, of
     *                 the whole response time for a non-streamed request
     * @param minDelay the floor of the delay (also the delay when p95 has too few samples)
     * @param maxDelay the ceiling of the delay
     */
    public record Hedge(boolean enabled, Duration delay, Duration minDelay, Duration maxDelay) {
        public static final Duration DEFAULT_MIN_DELAY = Duration.ofMillis(50);
        public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(10);

        public Hedge {
            minDelay = Objects.requireNonNullElse(minDelay, DEFAULT_MIN_DELAY);
            maxDelay = Objects.requireNonNullElse(maxDelay, DEFAULT_MAX_DELAY);
        }

        public static Hedge defaults() {
            return new Hedge(false, null, null, null);
        }

        /** The delay for a node whose recent p95 (time to first token or response time) is {@code p95Millis} (NaN when unknown). */
        public long delayMillis(double p95Millis) {
            long wanted = delay != null ? delay.toMillis() : Double.isNaN(p95Millis) ? minDelay.toMillis()
                    : (long) Math.ceil(p95Millis);
            return Math.min(maxDelay.toMillis(), Math.max(minDelay.toMillis(), wanted));
        }
    }

    /**
     * Retries of a request that failed before the client received anything (unreachable node, 5xx,
     * timeout before the first byte), each on a node not tried yet.
     *
     * @param maxAttempts   attempts per request in all, the first included (1 turns retries off)
     * @param budgetRatio   retries may be at most this share of the requests over {@code budgetWindow}
     * @param budgetWindow  the window over which requests and retries are counted
     * @param budgetMinRetries retries always allowed per window, so a quiet gateway can still retry
     */
    public record Retry(int maxAttempts, double budgetRatio, Duration budgetWindow, int budgetMinRetries) {
        public static final int DEFAULT_MAX_ATTEMPTS = 3;
        public static final double DEFAULT_BUDGET_RATIO = 0.2;
        public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(10);
        public static final int DEFAULT_BUDGET_MIN_RETRIES = 3;

        public static Retry defaults() {
            return new Retry(DEFAULT_MAX_ATTEMPTS, DEFAULT_BUDGET_RATIO, DEFAULT_BUDGET_WINDOW, DEFAULT_BUDGET_MIN_RETRIES);
        }
    }

    /**
     * The circuit breaker per node, fed by real requests (5xx, timeouts, unreachable are failures; a
     * node's 4xx is a success). Open: the node gets no requests; after {@code openFor} it is half-open
     * and {@code halfOpenRequests} real requests decide whether it closes again.
     *
     * @param failureRateThreshold percentage of failed requests (1 to 100) over the last {@code windowSize}
     *                             that opens the circuit
     * @param minimumRequests      requests needed in the window before the rate counts
     * @param windowSize           the last this many requests are counted
     * @param openFor              how long an open circuit stays open
     * @param halfOpenRequests     requests let through while half-open
     */
    public record Circuit(double failureRateThreshold, int minimumRequests, int windowSize, Duration openFor,
                          int halfOpenRequests) {
        public static final double DEFAULT_FAILURE_RATE_THRESHOLD = 50;
        public static final int DEFAULT_MINIMUM_REQUESTS = 5;
        public static final int DEFAULT_WINDOW_SIZE = 20;
        public static final Duration DEFAULT_OPEN_FOR = Duration.ofSeconds(10);
        public static final int DEFAULT_HALF_OPEN_REQUESTS = 2;

        public static Circuit defaults() {
            return new Circuit(DEFAULT_FAILURE_RATE_THRESHOLD, DEFAULT_MINIMUM_REQUESTS, DEFAULT_WINDOW_SIZE,
                    DEFAULT_OPEN_FOR, DEFAULT_HALF_OPEN_REQUESTS);
        }
    }

    /**
     * One node speaking the OpenAI API at {@code url} (scheme, host and port, no path). The static
     * facts are optional ({@code null} when unknown) and only describe the hardware.
     */
    public record Node(String name, String url, String accelerator, Integer memoryGb, Double tflops) {

        public Node(String name, String url) {
            this(name, url, null, null, null);
        }

        /** The URL as a URI; call only on a validated config. */
        public URI uri() {
            return URI.create(url);
        }

        /**
         * The server this node is, however its URL is spelled: scheme, host and port in lower case
         * ({@code http://H:80/} and {@code http://h} are one server; names are not resolved). Two
         * nodes may not share one. Call only on a validated node.
         */
        public String serverKey() {
            URI u = URI.create(url.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            int port = u.getPort() >= 0 ? u.getPort() : "https".equals(scheme) ? 443 : 80;
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT);
            return scheme + "://" + host + ":" + port;
        }
    }

    /**
     * Scraping every node's {@code /metrics}: every {@code interval}, with no answer after
     * {@code timeout} counted as a failed scrape; {@code history} of figures is kept per node in
     * memory, and data older than {@code staleAfter} is stale.
     */
    public record Telemetry(Duration interval, Duration timeout, Duration history, Duration staleAfter) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(400);
        public static final Duration DEFAULT_HISTORY = Duration.ofMinutes(15);
        public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(2);
        public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
        public static final Duration MAX_INTERVAL = Duration.ofSeconds(60);
        public static final Duration MAX_HISTORY = Duration.ofHours(24);
        /** Most points kept per node and metric (history / interval). */
        public static final int MAX_POINTS = 100_000;

        public static Telemetry defaults() {
            return new Telemetry(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_HISTORY, DEFAULT_STALE_AFTER);
        }

        /** Points per node and metric in the history ring buffers: history / interval, at least 1. */
        public int historyPoints() {
            return (int) Math.max(1, Math.min(MAX_POINTS, history.toMillis() / Math.max(1, interval.toMillis())));
        }
    }
}
