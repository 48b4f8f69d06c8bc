package dev.flotilla.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.gateway.config.ConfigException;
import dev.flotilla.gateway.config.ConfigLoader;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The gateway config of {@code flotilla up --config FILE}: the user's file with the local fleet added.
 * Every section of the file applies as the gateway would read it; from {@code up}'s own config the
 * listen address, port and shutdown grace always win (they are {@code up}'s options), its one event
 * loop and health timings fill in only what the file leaves out, {@code --policy} sets
 * {@code routing.policy}, and the local nodes are appended to the file's {@code nodes}.
 */
final class UpGatewayConfig {
    private static final YAMLMapper YAML = new YAMLMapper();
    /** listen keys that are {@code up}'s options: the file's values would contradict what up prints. */
    private static final List<String> LISTEN_FROM_UP = List.of("host", "port", "shutdownGrace");

    private UpGatewayConfig() {
    }

    /**
     * What is wrong with the file as the config of a fleet whose local nodes have these names, or null:
     * unreadable, not a mapping, a node named like a local one, or anything the gateway's loader rejects
     * (checked on the merged config, with placeholder URLs for the local nodes, whose ports are not known yet).
     */
    static String check(Path file, List<String> localNodes, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            return "cannot read it (" + e.getMessage() + ")";
        }
        ObjectNode user;
        try {
            user = tree(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (JsonNode n : user.path("nodes")) {
            String name = n.path("name").asText(null);
            if (name != null && localNodes.contains(name)) {
                return "nodes: name " + name + " is taken by a local node (the local nodes are " + localNodes
                        + "); rename it";
            }
        }
        StringBuilder placeholders = new StringBuilder("nodes:\n");
        for (int i = 0; i < localNodes.size(); i++) {
            placeholders.append("  - name: ").append(localNodes.get(i)).append("\n    url: http://127.255.255.254:")
                    .append(i + 1).append('\n');
        }
        try {
            GatewayConfig ignored = new ConfigLoader(SchedulingPlugins.builtIn()).parse(merge(text,
                    placeholders.toString()), env);
            return null;
        } catch (ConfigException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The user's config text with {@code up}'s (listen, health, routing, the local nodes) merged in, as YAML. */
    static String merge(String userYaml, String upYaml) {
        ObjectNode user = tree(userYaml);
        ObjectNode up = tree(upYaml);
        ObjectNode listen = section(user, "listen");
        up.path("listen").properties().forEach(e -> {
            if (LISTEN_FROM_UP.contains(e.getKey()) || !listen.has(e.getKey())) {
                listen.set(e.getKey(), e.getValue());
            }
        });
        if (up.has("health")) {
            ObjectNode health = section(user, "health");
            up.path("health").properties().forEach(e -> {
                if (!health.has(e.getKey())) {
                    health.set(e.getKey(), e.getValue());
                }
            });
        }
        if (up.path("routing").has("policy")) {
            section(user, "routing").set("policy", up.path("routing").get("policy"));
        }
        JsonNode nodes = user.get("nodes");
        ArrayNode merged = nodes instanceof ArrayNode a ? a : user.putArray("nodes");
        up.path("nodes").forEach(merged::add);
        try {
            return YAML.writeValueAsString(user);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the gateway config: " + e.getMessage(), e);
        }
    }

    private static ObjectNode tree(String yaml) {
        if (yaml.isBlank()) {
            return YAML.createObjectNode();
        }
        JsonNode node;
        try {
            node = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML (" + e.getOriginalMessage() + ")", e);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!(node instanceof ObjectNode o)) {
            throw new IllegalArgumentException("expected a mapping of gateway sections (listen, dispatch, scheduling, "
                    + "...), not a " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
        }
        return o;
    }

    /** The section of the config under this key, made when missing; a key that is not a mapping is an error. */
    private static ObjectNode section(ObjectNode config, String key) {
        JsonNode s = config.get(key);
        if (s == null || s.isNull()) {
            return config.putObject(key);
        }
        if (!(s instanceof ObjectNode o)) {
            throw new IllegalArgumentException(key + ": expected a mapping, not " + s);
        }
        return o;
    }
}
