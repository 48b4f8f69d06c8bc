package dev.flotilla.bench.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.engine.sim.AcceleratorProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fleet a simulation runs: which simulated accelerators serve the model, how the gateway
 * routes to them and how stale its view of their load is. Read from YAML ({@link #parse}, see
 * docs/sim.md) or built in code ({@link #of} and the {@code with...} methods).
 *
 * @param model            the model every node serves
 * @param nodes            groups of identical nodes, in routing order
 * @param policy           the routing policy (a picker type of the gateway's scheduling plugins)
 * @param scrapeInterval   how often the gateway samples each node's engine load
 * @param scrapeDelay      from sampling a node's load to the router seeing it (the scrape's own duration)
 * @param staleAfter       telemetry older than this reads as stale in the snapshots the router gets
 * @param requestOverhead  from a request's arrival to its engine seeing it (client, network, gateway)
 * @param responseOverhead from the engine producing a token to the client receiving it
 * @param iterationOverhead how late a live node's real-time scheduler starts each engine iteration (its timer
 *                          and thread wake-up), added to every event an engine schedules
 */
public record FleetSpec(String model, List<NodeGroup> nodes, String policy, Duration scrapeInterval,
                        Duration scrapeDelay, Duration staleAfter, Duration requestOverhead,
                        Duration responseOverhead, Duration iterationOverhead) {

    /** A fleet without iteration overhead. */
    public FleetSpec(String model, List<NodeGroup> nodes, String policy, Duration scrapeInterval,
                     Duration scrapeDelay, Duration staleAfter, Duration requestOverhead, Duration responseOverhead) {
        this(model, nodes, policy, scrapeInterval, scrapeDelay, staleAfter, requestOverhead, responseOverhead,
                Duration.ZERO);
    }

    public static final String DEFAULT_MODEL = "sim-llama-2-7b";
    /** The gateway's own default policy. */
    public static final String DEFAULT_POLICY = dev.flotilla.gateway.config.GatewayConfig.Routing.DEFAULT_POLICY;
    /** The gateway's default telemetry interval. */
    public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofMillis(500);
    /** The gateway's default stale bound. */
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofSeconds(2);
    public static final int MAX_NODES = 10_000;

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");
    private static final String DURATION_HINT = "a duration like 500ms, 0.4ms, 2s or 1m";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,50}[a-z0-9])?");

    /**
     * Nodes of one accelerator profile.
     *
     * @param name          prefix of the nodes' names ({@code <name>-<n>}, n counting over the whole
     *                      fleet from 1); null for {@code sim-<profile>}, as {@code flotilla up} names them
     * @param profile       the simulated accelerator
     * @param count         how many
     * @param prefixCaching whether their engines cache prompt prefixes (vLLM's default: on)
     */
    public record NodeGroup(String name, AcceleratorProfile profile, int count, boolean prefixCaching) {
        public NodeGroup {
            Objects.requireNonNull(profile, "profile");
            if (count < 1 || count > MAX_NODES) {
                throw new IllegalArgumentException("count: " + count + " (expected 1.." + MAX_NODES + ")");
            }
            if (name != null && !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name: '" + name + "' (expected lower-case letters, digits, "
                        + "'.', '_' or '-', starting and ending with a letter or digit)");
            }
        }

        /** {@code count} nodes of {@code profile} with prefix caching on, named after the profile. */
        public static NodeGroup of(AcceleratorProfile profile, int count) {
            return new NodeGroup(null, profile, count, true);
        }

        String namePrefix() {
            return name != null ? name : "sim-" + profile.name().toLowerCase(Locale.ROOT);
        }
    }

    public FleetSpec {
        nodes = List.copyOf(nodes);
        List<String> problems = new ArrayList<>();
        if (model == null || model.isBlank()) {
            problems.add("model: '" + model + "' (expected a model name)");
        }
        if (nodes.isEmpty()) {
            problems.add("nodes: none (expected at least one group like {profile: A100-80G, count: 8})");
        }
        long total = nodes.stream().mapToLong(NodeGroup::count).sum();
        if (total > MAX_NODES) {
            problems.add("nodes: " + total + " in all (expected at most " + MAX_NODES + ")");
        }
        if (policy == null || policy.isBlank()) {
            problems.add("routing.policy: '" + policy + "' (expected a policy name such as " + DEFAULT_POLICY + ")");
        }
        checkTelemetry(problems, scrapeInterval, scrapeDelay, staleAfter);
        checkNonNegative(problems, "overhead.request", requestOverhead);
        checkNonNegative(problems, "overhead.response", responseOverhead);
        checkNonNegative(problems, "overhead.iteration", iterationOverhead);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** A fleet of these groups serving {@code model} with the gateway's defaults and no overhead. */
    public static FleetSpec of(String model, List<NodeGroup> nodes) {
        return new FleetSpec(model, nodes, DEFAULT_POLICY, DEFAULT_SCRAPE_INTERVAL, Duration.ZERO, DEFAULT_STALE_AFTER,
                Duration.ZERO, Duration.ZERO);
    }

    public FleetSpec withPolicy(String value) {
        return new FleetSpec(model, nodes, value, scrapeInterval, scrapeDelay, staleAfter, requestOverhead,
                responseOverhead, iterationOverhead);
    }

    /** The same fleet scraped every {@code interval}, seen {@code delay} later, stale after {@code stale}. */
    public FleetSpec withTelemetry(Duration interval, Duration delay, Duration stale) {
        return new FleetSpec(model, nodes, policy, interval, delay, stale, requestOverhead, responseOverhead,
                iterationOverhead);
    }

    public FleetSpec withOverhead(Duration request, Duration response) {
        return new FleetSpec(model, nodes, policy, scrapeInterval, scrapeDelay, staleAfter, request, response,
                iterationOverhead);
    }

    /** The same fleet with each engine iteration starting {@code iteration} late, as on a live node. */
    public FleetSpec withIterationOverhead(Duration iteration) {
        return new FleetSpec(model, nodes, policy, scrapeInterval, scrapeDelay, staleAfter, requestOverhead,
                responseOverhead, iteration);
    }

    /** Nodes in the fleet. */
    public int nodeCount() {
        return nodes.stream().mapToInt(NodeGroup::count).sum();
    }

    /** E.g. {@code "8x A100-80G, 4x L4"}. */
    public String describe() {
        return nodes.stream().map(g -> g.count() + "x " + g.profile().name()
                + (g.prefixCaching() ? "" : " (no prefix cache)")).collect(Collectors.joining(", "));
    }

    /** Reads a fleet file; the message names the file, the path in it and the offending value. */
    public static FleetSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("fleet " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses fleet YAML; every problem is reported at once, each with its path and value.
     *
     * @param source names the text in error messages (a file name)
     */
    public static FleetSpec parse(String yaml, String source) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": not YAML (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expected a mapping with at least 'nodes'");
        }
        Reader r = new Reader();
        r.unknownKeys(root, "", Set.of("model", "nodes", "routing", "telemetry", "overhead"));
        String model = r.text(root, "model", DEFAULT_MODEL);
        List<NodeGroup> groups = new ArrayList<>();
        JsonNode nodes = root.get("nodes");
        if (nodes == null || !nodes.isArray() || nodes.isEmpty()) {
            r.problems.add("nodes: " + (nodes == null ? "missing" : nodes.toString())
                    + " (expected a list like [{profile: A100-80G, count: 8}])");
        } else {
            for (int i = 0; i < nodes.size(); i++) {
                NodeGroup g = r.group(nodes.get(i), "nodes[" + i + "]");
                if (g != null) {
                    groups.add(g);
                }
            }
        }
        JsonNode routing = r.object(root, "routing", Set.of("policy"));
        String policy = r.text(routing, "routing.policy", DEFAULT_POLICY);
        JsonNode telemetry = r.object(root, "telemetry", Set.of("scrapeInterval", "scrapeDelay", "staleAfter"));
        Duration interval = r.duration(telemetry, "telemetry.scrapeInterval", DEFAULT_SCRAPE_INTERVAL);
        Duration delay = r.duration(telemetry, "telemetry.scrapeDelay", Duration.ZERO);
        Duration stale = r.duration(telemetry, "telemetry.staleAfter",
                interval.compareTo(DEFAULT_STALE_AFTER) > 0 ? interval.multipliedBy(2) : DEFAULT_STALE_AFTER);
        JsonNode overhead = r.object(root, "overhead", Set.of("request", "response", "iteration"));
        Duration request = r.duration(overhead, "overhead.request", Duration.ZERO);
        Duration response = r.duration(overhead, "overhead.response", Duration.ZERO);
        Duration iteration = r.duration(overhead, "overhead.iteration", Duration.ZERO);
        if (r.problems.isEmpty()) {
            try {
                return new FleetSpec(model, groups, policy, interval, delay, stale, request, response, iteration);
            } catch (IllegalArgumentException e) {
                r.problems.add(e.getMessage());
            }
        }
        throw new IllegalArgumentException(source + ": " + String.join("; ", r.problems));
    }

    private static void checkTelemetry(List<String> problems, Duration interval, Duration delay, Duration stale) {
        if (interval == null || interval.compareTo(Duration.ofMillis(1)) < 0) {
            problems.add("telemetry.scrapeInterval: " + show(interval) + " (expected at least 1ms)");
        }
        checkNonNegative(problems, "telemetry.scrapeDelay", delay);
        if (interval != null && delay != null && delay.compareTo(interval) > 0) {
            // the gateway bounds a scrape by its interval, so one node's scrapes never overlap
            problems.add("telemetry.scrapeDelay: " + show(delay) + " (expected at most telemetry.scrapeInterval, "
                    + show(interval) + ")");
        }
        if (stale == null || (interval != null && stale.compareTo(interval) < 0)) {
            problems.add("telemetry.staleAfter: " + show(stale) + " (expected at least telemetry.scrapeInterval, "
                    + show(interval) + ")");
        }
    }

    private static void checkNonNegative(List<String> problems, String path, Duration d) {
        if (d == null || d.isNegative()) {
            problems.add(path + ": " + show(d) + " (expected a duration >= 0)");
        }
    }

    static String show(Duration d) {
        if (d == null) {
            return "<missing>";
        }
        return new BigDecimal(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
    }

    /** Collects problems while reading the YAML tree. */
    private static final class Reader {
        final List<String> problems = new ArrayList<>();

        void unknownKeys(JsonNode node, String path, Set<String> known) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                String key = it.next().getKey();
                if (!known.contains(key)) {
                    problems.add(path + key + ": unknown key (expected one of: "
                            + known.stream().sorted().collect(Collectors.joining(", ")) + ")");
                }
            }
        }

        /** The mapping under {@code field}, or null when absent (its defaults apply). */
        JsonNode object(JsonNode parent, String field, Set<String> known) {
            JsonNode v = parent.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isObject()) {
                problems.add(field + ": " + v + " (expected a mapping)");
                return null;
            }
            unknownKeys(v, field + ".", known);
            return v;
        }

        String text(JsonNode parent, String path, String dflt) {
            JsonNode v = parent == null ? null : parent.get(leaf(path));
            if (v == null || v.isNull()) {
                return dflt;
            }
            if (!v.isTextual() || v.textValue().isBlank()) {
                problems.add(path + ": " + v + " (expected a non-blank string)");
                return dflt;
            }
            return v.textValue();
        }

        Duration duration(JsonNode parent, String path, Duration dflt) {
            JsonNode v = parent == null ? null : parent.get(leaf(path));
            if (v == null || v.isNull()) {
                return dflt;
            }
            Matcher m = DURATION.matcher(v.asText().trim());
            if (!v.isValueNode() || !m.matches()) {
                problems.add(path + ": " + v + " (expected " + DURATION_HINT + ")");
                return dflt;
            }
            BigDecimal nanosPerUnit = switch (m.group(2)) {
                case "ns" -> BigDecimal.ONE;
                case "us" -> BigDecimal.valueOf(1_000);
                case "ms" -> BigDecimal.valueOf(1_000_000);
                case "s" -> BigDecimal.valueOf(1_000_000_000L);
                case "m" -> BigDecimal.valueOf(60_000_000_000L);
                default -> BigDecimal.valueOf(3_600_000_000_000L);
            };
            BigDecimal nanos = new BigDecimal(m.group(1)).multiply(nanosPerUnit);
            if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 2)) > 0) {
                problems.add(path + ": " + v + " (expected a duration under 100 years)");
                return dflt;
            }
            return Duration.ofNanos(nanos.longValue());
        }

        NodeGroup group(JsonNode g, String path) {
            if (g == null || !g.isObject()) {
                problems.add(path + ": " + g + " (expected a mapping like {profile: A100-80G, count: 8})");
                return null;
            }
            unknownKeys(g, path + ".", Set.of("profile", "count", "prefixCaching", "name"));
            int before = problems.size();
            AcceleratorProfile profile = null;
            JsonNode p = g.get("profile");
            if (p == null || !p.isTextual()) {
                problems.add(path + ".profile: " + (p == null ? "missing" : p.toString())
                        + " (expected one of: " + knownProfiles() + ")");
            } else {
                try {
                    profile = AcceleratorProfile.named(p.textValue());
                } catch (IllegalArgumentException e) {
                    problems.add(path + ".profile: '" + p.textValue() + "' (expected one of: " + knownProfiles() + ")");
                }
            }
            int count = 1;
            JsonNode c = g.get("count");
            if (c != null && (!c.isIntegralNumber() || !c.canConvertToInt() || c.intValue() < 1
                    || c.intValue() > MAX_NODES)) {
                problems.add(path + ".count: " + c + " (expected an integer 1.." + MAX_NODES + ")");
            } else if (c != null) {
                count = c.intValue();
            }
            boolean caching = true;
            JsonNode pc = g.get("prefixCaching");
            if (pc != null && !pc.isBoolean()) {
                problems.add(path + ".prefixCaching: " + pc + " (expected true or false)");
            } else if (pc != null) {
                caching = pc.booleanValue();
            }
            String name = null;
            JsonNode n = g.get("name");
            if (n != null && (!n.isTextual() || !NAME.matcher(n.textValue()).matches())) {
                problems.add(path + ".name: " + n + " (expected lower-case letters, digits, '.', '_' or '-', "
                        + "starting and ending with a letter or digit)");
            } else if (n != null) {
                name = n.textValue();
            }
            return problems.size() == before ? new NodeGroup(name, profile, count, caching) : null;
        }

        private static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }

        private static String knownProfiles() {
            return AcceleratorProfile.builtIns().stream().map(AcceleratorProfile::name)
                    .collect(Collectors.joining(", "));
        }
    }

    /**
     * The names of the fleet's nodes in routing order: {@code <prefix>-<n>}, n counting from 1 over
     * the whole fleet (a name's last segment is its distinct n, so names never repeat).
     */
    public List<String> nodeNames() {
        List<String> names = new ArrayList<>(nodeCount());
        int n = 0;
        for (NodeGroup g : nodes) {
            for (int i = 0; i < g.count(); i++) {
                names.add(g.namePrefix() + "-" + ++n);
            }
        }
        return names;
    }
}
