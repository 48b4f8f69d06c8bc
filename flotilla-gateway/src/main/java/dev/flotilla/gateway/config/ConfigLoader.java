package dev.flotilla.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.gateway.scheduling.Profiles;
import dev.flotilla.gateway.scheduling.ProfileSpec;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that turns YAML and environment variables into a {@link GatewayConfig} and checks
 * it. Environment variables {@code FLOTILLA_<PATH>} override the YAML: path segments joined with
 * {@code _}, matched case-insensitively with camelCase words written together or apart
 * ({@code FLOTILLA_LISTEN_MAXBODYBYTES} or {@code FLOTILLA_LISTEN_MAX_BODY_BYTES}), list indices
 * as numbers ({@code FLOTILLA_NODES_0_URL}). Every problem is collected and reported at once.
 */
public final class ConfigLoader {
    public static final String ENV_PREFIX = "FLOTILLA_";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?");
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");
    private static final String DURATION_HINT = "a duration like 500ms, 2s, 1m or 1h";

    /** The schema, used for unknown keys and for resolving environment variable names. */
    private static final Shape SCHEMA = obj(
            "listen", obj("host", leaf(), "port", leaf(), "maxBodyBytes", leaf(), "eventLoops", leaf(),
                    "shutdownGrace", leaf()),
            "health", obj("interval", leaf(), "timeout", leaf(), "unhealthyAfter", leaf(), "healthyAfter", leaf(),
                    "passiveFailures", leaf(), "errorRateWindow", leaf(), "degradedErrorRate", leaf(),
                    "errorRateMinRequests", leaf(), "outlierFactor", leaf(), "outlierMinSamples", leaf(),
                    "outlierWindow", leaf()),
            "routing", obj("policy", leaf()),
            "dispatch", obj("connectTimeout", leaf(), "idleTimeout", leaf(), "poolSize", leaf(),
                    "firstTokenTimeout", leaf(), "totalTimeout", leaf(),
                    "retry", obj("maxAttempts", leaf(), "budgetRatio", leaf(), "budgetWindow", leaf(),
                            "budgetMinRetries", leaf()),
                    "circuit", obj("failureRateThreshold", leaf(), "minimumRequests", leaf(), "windowSize", leaf(),
                            "openFor", leaf(), "halfOpenRequests", leaf()),
                    "hedge", obj("enabled", leaf(), "delay", leaf(), "minDelay", leaf(), "maxDelay", leaf())),
            "nodes", new ListOf(obj("name", leaf(), "url", leaf(), "accelerator", leaf(),
                    "memoryGb", leaf(), "tflops", leaf())),
            "telemetry", obj("interval", leaf(), "timeout", leaf(), "history", leaf(), "staleAfter", leaf()),
            // keyed by model name; not reachable from environment variables (names are free-form)
            "models", new MapOf(obj("timeouts", obj("connect", leaf(), "firstToken", leaf(), "idle", leaf(),
                    "total", leaf()), "sizeGb", leaf(),
                    "hedge", obj("enabled", leaf(), "delay", leaf(), "minDelay", leaf(), "maxDelay", leaf()))),
            "scheduling", obj("default", leaf(), "models", new MapOf(leaf()), "routes", new MapOf(leaf()),
                    "profiles", new MapOf(obj("filters", new ListOf(leaf()), "scorers", new ListOf(leaf()),
                            "picker", leaf(), "hedge", obj("enabled", leaf(), "delay", leaf(), "minDelay", leaf(),
                                    "maxDelay", leaf())))));
    private static final Obj PROFILE_SHAPE = (Obj) ((MapOf) ((Obj) ((Obj) SCHEMA).fields().get("scheduling"))
            .fields().get("profiles")).value();
    private static final Obj MODEL_SHAPE = (Obj) ((MapOf) ((Obj) SCHEMA).fields().get("models")).value();

    private static final Obj NODE_SHAPE = (Obj) ((ListOf) ((Obj) SCHEMA).fields().get("nodes")).element();
    /** Turns YAML parameter mappings into plain Java values (numbers, strings, booleans, lists, maps). */
    private static final ObjectMapper YAML_VALUES = new ObjectMapper();
    /** Strict JSON for the admin API: no trailing garbage, no key given twice. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final SchedulingPlugins plugins;
    private final YAMLMapper yaml = new YAMLMapper();

    /** @param plugins the scheduling plugins the gateway knows (profiles, {@code routing.policy} are checked against them) */
    public ConfigLoader(SchedulingPlugins plugins) {
        this.plugins = plugins;
    }

    /** Reads the YAML file, applies the environment overrides and validates. */
    public GatewayConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read (" + e.getMessage() + ")"));
        }
        return parse(text, env);
    }

    /** Parses YAML text (possibly empty), applies the environment overrides and validates. */
    public GatewayConfig parse(String yamlText, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        JsonNode root;
        try {
            root = yamlText == null || yamlText.isBlank() ? null : yaml.readTree(yamlText);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of("(yaml): " + firstLine(e.getOriginalMessage())
                    + " at line " + e.getLocation().getLineNr() + " (expected valid YAML)"));
        }
        ObjectNode tree;
        if (root == null || root.isMissingNode() || root.isNull()) {
            tree = JsonNodeFactory.instance.objectNode();
        } else if (root instanceof ObjectNode o) {
            tree = o;
        } else {
            throw new ConfigException(List.of("(root): " + show(root) + " (expected a mapping)"));
        }
        applyEnv(tree, env, problems);
        GatewayConfig config = new Binder(problems).config(tree);
        problems.addAll(problems(config));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /**
     * Reads one node as JSON, an object with the keys of an entry of {@code nodes} in the file
     * ({@code name}, {@code url}, optional {@code accelerator}, {@code memoryGb}, {@code tflops}), and
     * checks it by the same rules. The admin API reads its {@code POST /admin/nodes} body with it.
     * Throws {@link ConfigException} listing every problem, each named by its key
     * ({@code url: "x" (expected ...)}) or {@code (body)} when the text is not such an object.
     */
    public static GatewayConfig.Node parseNode(String json) {
        String expected = "expected a JSON object like {\"name\": \"gpu-1\", \"url\": \"http://127.0.0.1:9001\"}";
        JsonNode root;
        try {
            root = json == null || json.isBlank() ? null : JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of("(body): " + firstLine(e.getOriginalMessage()) + " at line "
                    + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr() + " (" + expected + ")"));
        }
        if (!(root instanceof ObjectNode o)) {
            throw new ConfigException(List.of("(body): " + show(root == null || root.isMissingNode() ? null : root)
                    + " (" + expected + ")"));
        }
        List<String> problems = new ArrayList<>();
        GatewayConfig.Node node = new Binder(problems).node(o, "");
        nodeProblems(problems, "", node, -1, -1);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return node;
    }

    /** Validates a config built in code; throws {@link ConfigException} listing every problem. */
    public GatewayConfig validate(GatewayConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /** Every problem of a config, empty when it is valid. */
    public List<String> problems(GatewayConfig c) {
        List<String> p = new ArrayList<>();
        GatewayConfig.Listen l = c.listen();
        if (l.host() == null || l.host().isBlank()) {
            p.add("listen.host: " + show(l.host()) + " (expected a host name or IP address)");
        }
        if (l.port() < 0 || l.port() > 65535) {
            p.add("listen.port: " + l.port() + " (expected an integer from 0 to 65535; 0 picks a free port)");
        }
        if (l.maxBodyBytes() < 1024) {
            p.add("listen.maxBodyBytes: " + l.maxBodyBytes() + " (expected at least 1024 bytes, e.g. 16MiB)");
        }
        if (l.eventLoops() < 0 || l.eventLoops() > GatewayConfig.Listen.MAX_EVENT_LOOPS) {
            p.add("listen.eventLoops: " + l.eventLoops() + " (expected 0 for one per core, or 1 to "
                    + GatewayConfig.Listen.MAX_EVENT_LOOPS + ")");
        }
        Duration grace = l.shutdownGrace();
        if (grace == null || grace.isNegative() || grace.compareTo(GatewayConfig.Listen.MAX_SHUTDOWN_GRACE) > 0) {
            p.add("listen.shutdownGrace: " + (grace == null ? "<missing>" : format(grace))
                    + " (expected a duration from 0s to 1h: how long requests in flight may finish on shutdown)");
        }
        positive(p, "health.interval", c.health().interval());
        positive(p, "health.timeout", c.health().timeout());
        healthProblems(p, c.health());
        p.addAll(Profiles.problems(plugins, c.scheduling(), c.routing().policy(),
                new PluginContext(Clock.systemUTC(), 0, node -> true, c::modelSizeGb)));
        positive(p, "dispatch.connectTimeout", c.dispatch().connectTimeout());
        positive(p, "dispatch.idleTimeout", c.dispatch().idleTimeout());
        if (c.dispatch().poolSize() < 1 || c.dispatch().poolSize() > 10_000) {
            p.add("dispatch.poolSize: " + c.dispatch().poolSize() + " (expected an integer from 1 to 10000)");
        }
        dispatchProblems(p, c.dispatch());
        telemetryProblems(p, c.telemetry());
        for (Map.Entry<String, GatewayConfig.Model> m : c.models().entrySet()) {
            String path = "models." + m.getKey();
            if (m.getKey() == null || m.getKey().isBlank()) {
                p.add("models: " + show(m.getKey()) + " (expected a model name as the key)");
            }
            GatewayConfig.Timeouts t = m.getValue() == null ? null : m.getValue().timeouts();
            if (t != null) {
                optionalPositive(p, path + ".timeouts.connect", t.connect());
                optionalPositive(p, path + ".timeouts.firstToken", t.firstToken());
                optionalPositive(p, path + ".timeouts.idle", t.idle());
                optionalPositive(p, path + ".timeouts.total", t.total());
            }
            Double size = m.getValue() == null ? null : m.getValue().sizeGb();
            if (size != null && !(size > 0 && size < 1e6)) {
                p.add(path + ".sizeGb: " + size + " (expected a positive number of GB, e.g. 16)");
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> servers = new HashMap<>();
        for (int i = 0; i < c.nodes().size(); i++) {
            GatewayConfig.Node n = c.nodes().get(i);
            String path = "nodes[" + i + "]";
            if (n == null) {
                p.add(path + ": null (expected a node with name and url)");
                continue;
            }
            Integer sameName = nameOk(n) ? seen.putIfAbsent(n.name(), i) : null;
            Integer sameUrl = urlProblem(n.url()) == null ? servers.putIfAbsent(n.serverKey(), i) : null;
            nodeProblems(p, path + ".", n, sameName == null ? -1 : sameName, sameUrl == null ? -1 : sameUrl);
        }
        return p;
    }

    private static boolean nameOk(GatewayConfig.Node n) {
        return n.name() != null && NODE_NAME.matcher(n.name()).matches();
    }

    /**
     * The rules one node entry follows wherever it comes from (an entry of a file's {@code nodes}
     * or the admin API's body), in field order; {@code prefix} goes before each field
     * ({@code "nodes[2]."} or ""). Uniqueness in the running fleet is the registry's to check.
     *
     * @param sameName the index of an earlier entry with the same name in the list, or -1
     * @param sameUrl  the index of an earlier entry with the same server (scheme, host, port), or -1
     */
    private static void nodeProblems(List<String> p, String prefix, GatewayConfig.Node n, int sameName, int sameUrl) {
        if (!nameOk(n)) {
            p.add(prefix + "name: " + show(n.name())
                    + " (expected 1-63 lower-case letters, digits, '-', '.' or '_', starting and ending with a letter or digit)");
        } else if (sameName >= 0) {
            p.add(prefix + "name: " + show(n.name()) + " (expected a unique name; nodes[" + sameName + "] has it too)");
        }
        String urlProblem = urlProblem(n.url());
        if (urlProblem != null) {
            p.add(prefix + "url: " + show(n.url()) + " (expected " + urlProblem + ")");
        } else if (sameUrl >= 0) {
            p.add(prefix + "url: " + show(n.url()) + " (expected a URL no other node uses; nodes[" + sameUrl
                    + "] has it too)");
        }
        if (n.memoryGb() != null && n.memoryGb() <= 0) {
            p.add(prefix + "memoryGb: " + n.memoryGb() + " (expected a positive integer)");
        }
        if (n.tflops() != null && !(n.tflops() > 0)) {
            p.add(prefix + "tflops: " + n.tflops() + " (expected a positive number)");
        }
    }

    private static void healthProblems(List<String> p, GatewayConfig.Health h) {
        count(p, "health.unhealthyAfter", h.unhealthyAfter(), "consecutive failed checks that take a node out");
        count(p, "health.healthyAfter", h.healthyAfter(), "consecutive successful checks that bring a node back");
        count(p, "health.passiveFailures", h.passiveFailures(), "consecutive failed requests that take a node out");
        count(p, "health.errorRateMinRequests", h.errorRateMinRequests(), "requests in the window before the error rate counts");
        positive(p, "health.errorRateWindow", h.errorRateWindow());
        double rate = h.degradedErrorRate();
        if (!(rate > 0 && rate <= 1)) {
            p.add("health.degradedErrorRate: " + rate + " (expected a fraction above 0 and at most 1, e.g. 0.5)");
        }
        double factor = h.outlierFactor();
        if (!(factor > 1 && factor <= 100)) {
            p.add("health.outlierFactor: " + factor
                    + " (expected a number above 1 and at most 100: how many times slower than the fleet is an outlier, e.g. 3)");
        }
        int min = h.outlierMinSamples();
        if (min < 1 || min > GatewayConfig.Health.MAX_OUTLIER_SAMPLES) {
            p.add("health.outlierMinSamples: " + min + " (expected an integer from 1 to "
                    + GatewayConfig.Health.MAX_OUTLIER_SAMPLES + ": samples a node needs before its latency is judged)");
        }
        positive(p, "health.outlierWindow", h.outlierWindow());
    }

    private static void dispatchProblems(List<String> p, GatewayConfig.Dispatch d) {
        positive(p, "dispatch.firstTokenTimeout", d.firstTokenTimeout());
        positive(p, "dispatch.totalTimeout", d.totalTimeout());
        GatewayConfig.Retry r = d.retry();
        if (r.maxAttempts() < 1 || r.maxAttempts() > 10) {
            p.add("dispatch.retry.maxAttempts: " + r.maxAttempts()
                    + " (expected an integer from 1 to 10: attempts per request, the first included; 1 turns retries off)");
        }
        if (!(r.budgetRatio() >= 0 && r.budgetRatio() <= 1)) {
            p.add("dispatch.retry.budgetRatio: " + r.budgetRatio()
                    + " (expected a fraction from 0 to 1: the share of recent requests that may be retried, e.g. 0.2)");
        }
        positive(p, "dispatch.retry.budgetWindow", r.budgetWindow());
        if (r.budgetMinRetries() < 0 || r.budgetMinRetries() > 1000) {
            p.add("dispatch.retry.budgetMinRetries: " + r.budgetMinRetries()
                    + " (expected an integer from 0 to 1000: retries always allowed per window)");
        }
        GatewayConfig.Circuit c = d.circuit();
        if (!(c.failureRateThreshold() > 0 && c.failureRateThreshold() <= 100)) {
            p.add("dispatch.circuit.failureRateThreshold: " + c.failureRateThreshold()
                    + " (expected a percentage above 0 and at most 100, e.g. 50)");
        }
        count(p, "dispatch.circuit.windowSize", c.windowSize(), "the last requests counted per node");
        count(p, "dispatch.circuit.minimumRequests", c.minimumRequests(), "requests before the failure rate counts");
        count(p, "dispatch.circuit.halfOpenRequests", c.halfOpenRequests(), "requests let through while half-open");
        positive(p, "dispatch.circuit.openFor", c.openFor());

    }

    private static void optionalPositive(List<String> p, String path, Duration d) {
        if (d != null) {
            positive(p, path, d);
        }
    }

    private static void count(List<String> p, String path, int value, String meaning) {
        if (value < 1 || value > 1000) {
            p.add(path + ": " + value + " (expected an integer from 1 to 1000: " + meaning + ")");
        }
    }

    private static void telemetryProblems(List<String> p, GatewayConfig.Telemetry t) {
        Duration interval = t.interval();
        boolean intervalOk = interval != null && interval.compareTo(GatewayConfig.Telemetry.MIN_INTERVAL) >= 0
                && interval.compareTo(GatewayConfig.Telemetry.MAX_INTERVAL) <= 0;
        if (!intervalOk) {
            p.add("telemetry.interval: " + (interval == null ? "<missing>" : format(interval))
                    + " (expected a duration from 100ms to 60s)");
        }
        positive(p, "telemetry.timeout", t.timeout());
        if (intervalOk && t.timeout() != null && t.timeout().compareTo(interval) > 0) {
            p.add("telemetry.timeout: " + format(t.timeout()) + " (expected at most telemetry.interval, "
                    + format(interval) + ", so that scrapes of one node do not overlap)");
        }
        Duration history = t.history();
        if (history == null || history.compareTo(interval == null ? history : interval) < 0 || history.isZero()
                || history.compareTo(GatewayConfig.Telemetry.MAX_HISTORY) > 0) {
            p.add("telemetry.history: " + (history == null ? "<missing>" : format(history))
                    + " (expected a duration from telemetry.interval to 24h)");
        } else if (intervalOk && history.toMillis() / interval.toMillis() > GatewayConfig.Telemetry.MAX_POINTS) {
            p.add("telemetry.history: " + format(history) + " (expected at most "
                    + GatewayConfig.Telemetry.MAX_POINTS + " points per series, that is "
                    + format(interval.multipliedBy(GatewayConfig.Telemetry.MAX_POINTS))
                    + " at an interval of " + format(interval) + ")");
        }
        if (t.staleAfter() == null || (intervalOk && t.staleAfter().compareTo(interval) < 0)) {
            p.add("telemetry.staleAfter: " + (t.staleAfter() == null ? "<missing>" : format(t.staleAfter()))
                    + " (expected at least telemetry.interval" + (intervalOk ? ", " + format(interval) : "") + ")");
        } else {
            positive(p, "telemetry.staleAfter", t.staleAfter());
        }
    }

    private static void positive(List<String> p, String path, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            p.add(path + ": " + (d == null ? "<missing>" : format(d)) + " (expected a positive duration like 500ms, 2s or 1m)");
        }
    }

    /** Null when the URL is fine, else what was expected. */
    private static String urlProblem(String url) {
        String expected = "an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001";
        if (url == null || url.isBlank()) {
            return expected;
        }
        try {
            URI u = new URI(url);
            boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && u.getHost() != null && u.getPort() > 0 && u.getUserInfo() == null
                    && u.getQuery() == null && u.getFragment() == null
                    && (u.getRawPath() == null || u.getRawPath().isEmpty() || "/".equals(u.getRawPath()));
            return ok ? null : expected;
        } catch (URISyntaxException e) {
            return expected;
        }
    }

    // ---------------------------------------------------------------- environment overrides

    private static void applyEnv(ObjectNode tree, Map<String, String> env, List<String> problems) {
        // sorted so that FLOTILLA_NODES_0_* is applied before FLOTILLA_NODES_1_* (appending works)
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String key = e.getKey();
            if (!key.regionMatches(true, 0, ENV_PREFIX, 0, ENV_PREFIX.length())) {
                continue;
            }
            String[] tokens = key.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).split("_");
            List<Object> path = resolve(SCHEMA, tokens, 0);
            if (path == null) {
                // other FLOTILLA_ variables (for other commands) are not ours unless they start like a section
                if (tokens.length > 0 && ((Obj) SCHEMA).fields().containsKey(tokens[0])) {
                    problems.add(key + ": " + show(e.getValue())
                            + " (expected a configuration path, e.g. FLOTILLA_LISTEN_PORT or FLOTILLA_NODES_0_URL)");
                }
                continue;
            }
            set(tree, path, e.getValue(), key, problems);
        }
    }

    /** The path (field names and list indices) the tokens name, or null when they name no leaf. */
    private static List<Object> resolve(Shape shape, String[] tokens, int i) {
        if (i == tokens.length) {
            return shape instanceof Leaf ? new ArrayList<>() : null;
        }
        if (shape instanceof ListOf list) {
            if (!tokens[i].matches("\\d{1,4}")) {
                return null;
            }
            List<Object> rest = resolve(list.element(), tokens, i + 1);
            if (rest != null) {
                rest.add(0, Integer.parseInt(tokens[i]));
            }
            return rest;
        }
        if (shape instanceof Obj obj) {
            for (Map.Entry<String, Shape> f : obj.fields().entrySet()) {
                String want = f.getKey().toLowerCase(Locale.ROOT);
                StringBuilder joined = new StringBuilder();
                for (int k = i; k < tokens.length && joined.length() < want.length(); k++) {
                    joined.append(tokens[k]);
                    if (joined.toString().equals(want)) {
                        List<Object> rest = resolve(f.getValue(), tokens, k + 1);
                        if (rest != null) {
                            rest.add(0, f.getKey());
                            return rest;
                        }
                    }
                }
            }
        }
        return null;
    }

    private static void set(ObjectNode tree, List<Object> path, String value, String key, List<String> problems) {
        JsonNode current = tree;
        for (int i = 0; i < path.size(); i++) {
            Object seg = path.get(i);
            boolean last = i == path.size() - 1;
            Object next = last ? null : path.get(i + 1);
            if (seg instanceof String field) {
                if (!(current instanceof ObjectNode o)) {
                    problems.add(key + ": " + show(value) + " (expected the configuration at this path to be a mapping)");
                    return;
                }
                if (last) {
                    o.set(field, TextNode.valueOf(value));
                } else {
                    JsonNode child = o.get(field);
                    if (child == null || child.isNull()) {
                        child = next instanceof Integer ? o.putArray(field) : o.putObject(field);
                    }
                    current = child;
                }
            } else {
                int index = (Integer) seg;
                if (!(current instanceof ArrayNode a)) {
                    problems.add(key + ": " + show(value) + " (expected the configuration at this path to be a list)");
                    return;
                }
                if (index > a.size()) {
                    problems.add(key + ": " + show(value) + " (expected a list index from 0 to " + a.size()
                            + "; the index " + a.size() + " appends)");
                    return;
                }
                if (index == a.size()) {
                    a.addObject();
                }
                current = a.get(index);
            }
        }
    }

    // ---------------------------------------------------------------- binding

    /** Builds the records from the tree; bad values are reported and replaced by defaults. */
    private static final class Binder {
        private final List<String> problems;

        Binder(List<String> problems) {
            this.problems = problems;
        }

        GatewayConfig config(ObjectNode root) {
            checkKeys(root, "", (Obj) SCHEMA);
            GatewayConfig.Dispatch dispatch = dispatch(section(root, "dispatch"));
            return new GatewayConfig(listen(section(root, "listen")), health(section(root, "health")),
                    routing(section(root, "routing")), dispatch, nodes(root.get("nodes")),
                    telemetry(section(root, "telemetry")), models(root.get("models"), dispatch.hedge()),
                    scheduling(root.get("scheduling"), dispatch.hedge()));
        }

        private GatewayConfig.Scheduling scheduling(JsonNode n, GatewayConfig.Hedge hedge) {
            if (n == null || n.isNull()) {
                return GatewayConfig.Scheduling.defaults();
            }
            if (!(n instanceof ObjectNode o)) {
                problems.add("scheduling: " + show(n) + " (expected a mapping)");
                return GatewayConfig.Scheduling.defaults();
            }
            checkKeys(o, "scheduling", (Obj) ((Obj) SCHEMA).fields().get("scheduling"));
            String dflt = string(o, "scheduling.default", "default", null);
            Map<String, String> models = names(o, "models");
            Map<String, String> routes = names(o, "routes");
            List<ProfileSpec> profiles = new ArrayList<>();
            ObjectNode ps = child(o, "scheduling", "profiles");
            if (ps != null) {
                ps.fields().forEachRemaining(e -> {
                    ProfileSpec spec = profile(e.getKey(), e.getValue(), hedge);
                    if (spec != null) {
                        profiles.add(spec);
                    }
                });
            }
            return new GatewayConfig.Scheduling(dflt, models, routes, profiles);
        }

        /** A mapping of names to profile names ({@code scheduling.models}, {@code scheduling.routes}). */
        private Map<String, String> names(ObjectNode o, String field) {
            ObjectNode m = child(o, "scheduling", field);
            Map<String, String> out = new LinkedHashMap<>();
            if (m != null) {
                m.fields().forEachRemaining(e -> {
                    if (e.getValue().isTextual()) {
                        out.put(e.getKey(), e.getValue().asText());
                    } else {
                        problems.add("scheduling." + field + "." + e.getKey() + ": " + show(e.getValue())
                                + " (expected a profile name)");
                    }
                });
            }
            return out;
        }

        /** A declared profile; its {@code hedge} block, if any, takes each absent key from {@code dispatch.hedge}. */
        private ProfileSpec profile(String name, JsonNode n, GatewayConfig.Hedge dispatchHedge) {
            String path = "scheduling.profiles." + name;
            if (!(n instanceof ObjectNode o)) {
                problems.add(path + ": " + show(n) + " (expected a mapping with filters, scorers and picker)");
                return null;
            }
            int before = problems.size();
            checkKeys(o, path, PROFILE_SHAPE);
            List<ProfileSpec.Plugin> filters = new ArrayList<>();
            JsonNode fs = o.get("filters");
            if (fs != null && !fs.isNull()) {
                if (!fs.isArray()) {
                    problems.add(path + ".filters: " + show(fs) + " (expected a list of filter types or {type, params})");
                } else {
                    for (int i = 0; i < fs.size(); i++) {
                        ProfileSpec.Plugin f = plugin(fs.get(i), path + ".filters[" + i + "]", false);
                        if (f != null) {
                            filters.add(f);
                        }
                    }
                }
            }
            List<ProfileSpec.WeightedScorer> scorers = new ArrayList<>();
            JsonNode ss = o.get("scorers");
            if (ss != null && !ss.isNull()) {
                if (!ss.isArray()) {
                    problems.add(path + ".scorers: " + show(ss) + " (expected a list of {type, weight, params})");
                } else {
                    for (int i = 0; i < ss.size(); i++) {
                        String at = path + ".scorers[" + i + "]";
                        ProfileSpec.Plugin s = plugin(ss.get(i), at, true);
                        if (s == null) {
                            continue;
                        }
                        double weight = 1;
                        JsonNode w = ss.get(i).get("weight");
                        if (w != null && !w.isNull()) {
                            Double d = number((ObjectNode) ss.get(i), at + ".weight", "weight");
                            weight = d == null ? 1 : d;
                        }
                        scorers.add(new ProfileSpec.WeightedScorer(s.type(), weight, s.params()));
                    }
                }
            }
            JsonNode pk = o.get("picker");
            ProfileSpec.Plugin picker = null;
            if (pk == null || pk.isNull()) {
                problems.add(path + ".picker: <missing> (expected a picker type, e.g. max-score, or {type, params})");
            } else {
                picker = plugin(pk, path + ".picker", false);
            }
            ObjectNode h = child(o, path, "hedge");
            if (h != null) {
                checkKeys(h, path + ".hedge", (Obj) PROFILE_SHAPE.fields().get("hedge"));
            }
            GatewayConfig.Hedge hedge = h == null ? null : hedge(h, path + ".hedge", dispatchHedge);
            return problems.size() != before || picker == null ? null
                    : new ProfileSpec(name, filters, scorers, picker, hedge);
        }

        /** A plugin written as its type or as {type, params} (and, for a scorer, weight). */
        @SuppressWarnings("unchecked")
        private ProfileSpec.Plugin plugin(JsonNode n, String path, boolean weighted) {
            if (n != null && n.isTextual()) {
                return ProfileSpec.Plugin.of(n.asText());
            }
            if (!(n instanceof ObjectNode o) || !o.path("type").isTextual()) {
                problems.add(path + ": " + show(n) + " (expected a plugin type or {type: ..., "
                        + (weighted ? "weight: ..., " : "") + "params: {...}})");
                return null;
            }
            Set<String> allowed = weighted ? Set.of("type", "weight", "params") : Set.of("type", "params");
            o.fieldNames().forEachRemaining(k -> {
                if (!allowed.contains(k)) {
                    problems.add(path + "." + k + ": " + show(o.get(k)) + " (unknown key; expected one of: "
                            + (weighted ? "type, weight, params" : "type, params") + ")");
                }
            });
            JsonNode params = o.get("params");
            Map<String, Object> values = Map.of();
            if (params != null && !params.isNull()) {
                if (!params.isObject()) {
                    problems.add(path + ".params: " + show(params) + " (expected a mapping of parameter to value)");
                } else {
                    values = YAML_VALUES.convertValue(params, Map.class);
                }
            }
            return new ProfileSpec.Plugin(o.get("type").asText(), values);
        }

        private Map<String, GatewayConfig.Model> models(JsonNode n, GatewayConfig.Hedge hedge) {
            if (n == null || n.isNull()) {
                return Map.of();
            }
            if (!(n instanceof ObjectNode o)) {
                problems.add("models: " + show(n) + " (expected a mapping from model name to its settings)");
                return Map.of();
            }
            Map<String, GatewayConfig.Model> out = new LinkedHashMap<>();
            o.fields().forEachRemaining(e -> {
                String path = "models." + e.getKey();
                if (!(e.getValue() instanceof ObjectNode m)) {
                    problems.add(path + ": " + show(e.getValue()) + " (expected a mapping, e.g. {timeouts: {firstToken: 30s}})");
                    return;
                }
                checkKeys(m, path, MODEL_SHAPE);
                GatewayConfig.Timeouts timeouts = null;
                ObjectNode t = child(m, path, "timeouts");
                if (t != null) {
                    checkKeys(t, path + ".timeouts", (Obj) MODEL_SHAPE.fields().get("timeouts"));
                    String at = path + ".timeouts.";
                    timeouts = new GatewayConfig.Timeouts(duration(t, at + "connect", "connect", null),
                            duration(t, at + "firstToken", "firstToken", null), duration(t, at + "idle", "idle", null),
                            duration(t, at + "total", "total", null));
                }
                Double sizeGb = m.hasNonNull("sizeGb") ? number(m, path + ".sizeGb", "sizeGb") : null;
                ObjectNode h = child(m, path, "hedge");
                out.put(e.getKey(), new GatewayConfig.Model(timeouts, sizeGb, h == null ? null : hedge(h, path + ".hedge", hedge)));
            });
            return out;
        }

        /** A nested mapping (already key-checked by its parent), or null when absent or not a mapping (reported). */
        private ObjectNode child(ObjectNode parent, String path, String field) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!(n instanceof ObjectNode o)) {
                problems.add(path + "." + field + ": " + show(n) + " (expected a mapping)");
                return null;
            }
            return o;
        }

        private ObjectNode section(ObjectNode root, String name) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                return null;
            }
            if (!(n instanceof ObjectNode o)) {
                problems.add(name + ": " + show(n) + " (expected a mapping)");
                return null;
            }
            Obj shape = (Obj) ((Obj) SCHEMA).fields().get(name);
            checkKeys(o, name, shape);
            shape.fields().forEach((field, sub) -> {
                if (sub instanceof Obj subShape && o.get(field) instanceof ObjectNode nested) {
                    checkKeys(nested, name + "." + field, subShape);
                }
            });
            return o;
        }

        private void checkKeys(ObjectNode node, String path, Obj shape) {
            node.fieldNames().forEachRemaining(k -> {
                if (!shape.fields().containsKey(k)) {
                    problems.add((path.isEmpty() ? k : path + "." + k) + ": " + show(node.get(k))
                            + " (unknown key; expected one of: " + String.join(", ", shape.fields().keySet()) + ")");
                }
            });
        }

        private GatewayConfig.Listen listen(ObjectNode n) {
            GatewayConfig.Listen d = GatewayConfig.Listen.defaults();
            if (n == null) {
                return d;
            }
            return new GatewayConfig.Listen(string(n, "listen.host", "host", d.host()),
                    integer(n, "listen.port", "port", d.port()),
                    size(n, "listen.maxBodyBytes", "maxBodyBytes", d.maxBodyBytes()),
                    integer(n, "listen.eventLoops", "eventLoops", d.eventLoops()),
                    duration(n, "listen.shutdownGrace", "shutdownGrace", d.shutdownGrace()));
        }

        private GatewayConfig.Health health(ObjectNode n) {
            GatewayConfig.Health d = GatewayConfig.Health.defaults();
            if (n == null) {
                return d;
            }
            Double rate = n.hasNonNull("degradedErrorRate")
                    ? number(n, "health.degradedErrorRate", "degradedErrorRate") : null;
            Double factor = n.hasNonNull("outlierFactor") ? number(n, "health.outlierFactor", "outlierFactor") : null;
            return new GatewayConfig.Health(duration(n, "health.interval", "interval", d.interval()),
                    duration(n, "health.timeout", "timeout", d.timeout()),
                    integer(n, "health.unhealthyAfter", "unhealthyAfter", d.unhealthyAfter()),
                    integer(n, "health.healthyAfter", "healthyAfter", d.healthyAfter()),
                    integer(n, "health.passiveFailures", "passiveFailures", d.passiveFailures()),
                    duration(n, "health.errorRateWindow", "errorRateWindow", d.errorRateWindow()),
                    rate == null ? d.degradedErrorRate() : rate,
                    integer(n, "health.errorRateMinRequests", "errorRateMinRequests", d.errorRateMinRequests()),
                    factor == null ? d.outlierFactor() : factor,
                    integer(n, "health.outlierMinSamples", "outlierMinSamples", d.outlierMinSamples()),
                    duration(n, "health.outlierWindow", "outlierWindow", d.outlierWindow()));
        }

        private GatewayConfig.Telemetry telemetry(ObjectNode n) {
            GatewayConfig.Telemetry d = GatewayConfig.Telemetry.defaults();
            if (n == null) {
                return d;
            }
            return new GatewayConfig.Telemetry(duration(n, "telemetry.interval", "interval", d.interval()),
                    duration(n, "telemetry.timeout", "timeout", d.timeout()),
                    duration(n, "telemetry.history", "history", d.history()),
                    duration(n, "telemetry.staleAfter", "staleAfter", d.staleAfter()));
        }

        private GatewayConfig.Routing routing(ObjectNode n) {
            GatewayConfig.Routing d = GatewayConfig.Routing.defaults();
            return n == null ? d : new GatewayConfig.Routing(string(n, "routing.policy", "policy", d.policy()));
        }

        private GatewayConfig.Dispatch dispatch(ObjectNode n) {
            GatewayConfig.Dispatch d = GatewayConfig.Dispatch.defaults();
            if (n == null) {
                return d;
            }
            GatewayConfig.Retry dr = d.retry();
            GatewayConfig.Retry retry = dr;
            ObjectNode r = child(n, "dispatch", "retry");
            if (r != null) {
                Double ratio = r.hasNonNull("budgetRatio") ? number(r, "dispatch.retry.budgetRatio", "budgetRatio") : null;
                retry = new GatewayConfig.Retry(integer(r, "dispatch.retry.maxAttempts", "maxAttempts", dr.maxAttempts()),
                        ratio == null ? dr.budgetRatio() : ratio,
                        duration(r, "dispatch.retry.budgetWindow", "budgetWindow", dr.budgetWindow()),
                        integer(r, "dispatch.retry.budgetMinRetries", "budgetMinRetries", dr.budgetMinRetries()));
            }
            GatewayConfig.Circuit dc = d.circuit();
            GatewayConfig.Circuit circuit = dc;
            ObjectNode c = child(n, "dispatch", "circuit");
            if (c != null) {
                Double rate = c.hasNonNull("failureRateThreshold")
                        ? number(c, "dispatch.circuit.failureRateThreshold", "failureRateThreshold") : null;
                circuit = new GatewayConfig.Circuit(rate == null ? dc.failureRateThreshold() : rate,
                        integer(c, "dispatch.circuit.minimumRequests", "minimumRequests", dc.minimumRequests()),
                        integer(c, "dispatch.circuit.windowSize", "windowSize", dc.windowSize()),
                        duration(c, "dispatch.circuit.openFor", "openFor", dc.openFor()),
                        integer(c, "dispatch.circuit.halfOpenRequests", "halfOpenRequests", dc.halfOpenRequests()));
            }
            return new GatewayConfig.Dispatch(duration(n, "dispatch.connectTimeout", "connectTimeout", d.connectTimeout()),
                    duration(n, "dispatch.idleTimeout", "idleTimeout", d.idleTimeout()),
                    integer(n, "dispatch.poolSize", "poolSize", d.poolSize()),
                    duration(n, "dispatch.firstTokenTimeout", "firstTokenTimeout", d.firstTokenTimeout()),
                    duration(n, "dispatch.totalTimeout", "totalTimeout", d.totalTimeout()), retry, circuit,
                    hedgeOf(child(n, "dispatch", "hedge")));
        }

        private GatewayConfig.Hedge hedgeOf(ObjectNode h) {
            return h == null ? GatewayConfig.Hedge.defaults() : hedge(h, "dispatch.hedge", GatewayConfig.Hedge.defaults());
        }

        /** A {@code hedge} mapping at {@code path}, each key absent taken from {@code base}; {@code delay} is a duration or {@code p95}. */
        private GatewayConfig.Hedge hedge(ObjectNode h, String path, GatewayConfig.Hedge base) {
            boolean enabled = base.enabled();
            JsonNode e = h.get("enabled");
            if (e != null && !e.isNull()) {
                String t = e.asText().trim();
                if (e.isValueNode() && (t.equals("true") || t.equals("false"))) {
                    enabled = Boolean.parseBoolean(t);
                } else {
                    problems.add(path + ".enabled: " + show(e) + " (expected true or false)");
                }
            }
            JsonNode dv = h.get("delay");
            boolean p95 = dv != null && dv.isValueNode() && dv.asText().trim().equals("p95");
            Duration delay = p95 ? null : duration(h, path + ".delay", "delay", base.delay());
            GatewayConfig.Hedge out = new GatewayConfig.Hedge(enabled, delay,
                    duration(h, path + ".minDelay", "minDelay", base.minDelay()),
                    duration(h, path + ".maxDelay", "maxDelay", base.maxDelay()));
            if (out.delay() != null) {
                positive(problems, path + ".delay", out.delay());
            }
            positive(problems, path + ".minDelay", out.minDelay());
            positive(problems, path + ".maxDelay", out.maxDelay());
            if (out.maxDelay().compareTo(out.minDelay()) < 0) {
                problems.add(path + ".maxDelay: " + format(out.maxDelay()) + " (expected at least " + path
                        + ".minDelay, " + format(out.minDelay()) + ")");
            }
            return out;
        }

        private List<GatewayConfig.Node> nodes(JsonNode n) {
            if (n == null || n.isNull()) {
                return List.of();
            }
            if (!(n instanceof ArrayNode list)) {
                problems.add("nodes: " + show(n) + " (expected a list of nodes)");
                return List.of();
            }
            List<GatewayConfig.Node> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String path = "nodes[" + i + "]";
                if (!(list.get(i) instanceof ObjectNode o)) {
                    problems.add(path + ": " + show(list.get(i)) + " (expected a mapping with name and url)");
                    continue;
                }
                out.add(node(o, path));
            }
            return out;
        }

        /** One node entry; {@code path} is where it is ({@code nodes[2]}), or "" for a node on its own. */
        GatewayConfig.Node node(ObjectNode o, String path) {
            checkKeys(o, path, NODE_SHAPE);
            String at = path.isEmpty() ? "" : path + ".";
            return new GatewayConfig.Node(string(o, at + "name", "name", null),
                    string(o, at + "url", "url", null),
                    string(o, at + "accelerator", "accelerator", null),
                    optionalInteger(o, at + "memoryGb", "memoryGb"),
                    o.hasNonNull("tflops") ? number(o, at + "tflops", "tflops") : null);
        }

        /** An optional integer: null when absent, and when unreadable (reported once, not again as out of range). */
        private Integer optionalInteger(ObjectNode n, String path, String field) {
            if (!n.hasNonNull(field)) {
                return null;
            }
            int before = problems.size();
            int value = integer(n, path, field, 0);
            return problems.size() == before ? value : null;
        }

        private String string(ObjectNode n, String path, String field, String dflt) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isValueNode()) {
                problems.add(path + ": " + show(v) + " (expected a string)");
                return dflt;
            }
            return v.asText();
        }

        private int integer(ObjectNode n, String path, String field, int dflt) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (v.isIntegralNumber() && v.canConvertToInt()) {
                return v.intValue();
            }
            if (v.isTextual() && v.asText().trim().matches("-?\\d{1,9}")) {
                return Integer.parseInt(v.asText().trim());
            }
            problems.add(path + ": " + show(v) + " (expected an integer)");
            return dflt;
        }

        private Double number(ObjectNode n, String path, String field) {
            JsonNode v = n.get(field);
            if (v.isNumber()) {
                return v.doubleValue();
            }
            if (v.isTextual()) {
                try {
                    return Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            problems.add(path + ": " + show(v) + " (expected a number)");
            return null;
        }

        private Duration duration(ObjectNode n, String path, String field, Duration dflt) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            Matcher m = DURATION.matcher(v.asText().trim());
            if (!v.isValueNode() || !m.matches()) {
                problems.add(path + ": " + show(v) + " (expected " + DURATION_HINT + ")");
                return dflt;
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }

        private long size(ObjectNode n, String path, String field, long dflt) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return dflt;
            }
            Matcher m = SIZE.matcher(v.asText().trim());
            if (!v.isValueNode() || !m.matches() || m.group(1).length() > 12) {
                problems.add(path + ": " + show(v) + " (expected a size in bytes like 1048576, 512KiB or 16MiB)");
                return dflt;
            }
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            long factor = switch (unit) {
                case "KB" -> 1000L;
                case "MB" -> 1000L * 1000;
                case "GB" -> 1000L * 1000 * 1000;
                case "KiB" -> 1024L;
                case "MiB" -> 1024L * 1024;
                case "GiB" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            return amount * factor;
        }
    }

    // ---------------------------------------------------------------- helpers

    static String show(Object value) {
        if (value == null) {
            return "<missing>";
        }
        if (value instanceof JsonNode n) {
            if (n.isTextual()) {
                return "\"" + n.asText() + "\"";
            }
            if (n.isContainerNode()) {
                return n.isArray() ? "a list" : "a mapping";
            }
            return n.toString();
        }
        if (value instanceof String s) {
            return "\"" + s + "\"";
        }
        return value.toString();
    }

    private static String format(Duration d) {
        return d.toMillis() + "ms";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed YAML";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private sealed interface Shape permits Obj, ListOf, MapOf, Leaf {
    }

    private record MapOf(Shape value) implements Shape {
    }

    private record Obj(Map<String, Shape> fields) implements Shape {
    }

    private record ListOf(Shape element) implements Shape {
    }

    private record Leaf() implements Shape {
    }

    private static Shape leaf() {
        return new Leaf();
    }

    private static Obj obj(Object... nameShapePairs) {
        Map<String, Shape> fields = new LinkedHashMap<>();
        for (int i = 0; i < nameShapePairs.length; i += 2) {
            fields.put((String) nameShapePairs[i], (Shape) nameShapePairs[i + 1]);
        }
        return new Obj(fields);
    }
}
