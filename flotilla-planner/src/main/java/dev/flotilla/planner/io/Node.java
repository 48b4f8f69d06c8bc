package dev.flotilla.planner.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.planner.model.InputKey;
import dev.flotilla.planner.model.InputKey.Dialect;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON or YAML object node being read, with its path for messages. Keys match ignoring case (as
 * Go's encoding/json does for Inferno's files); a wrong type or a missing required field is
 * recorded as a problem naming the path, and reading goes on so that all problems are listed.
 */
final class Node {

    private final JsonNode node;
    private final String path;
    private final String childPrefix;
    private final Dialect dialect;
    private final List<String> problems;

    Node(JsonNode node, String path, Dialect dialect, List<String> problems) {
        this(node, path, path.isEmpty() ? "" : path + ".", dialect, problems);
    }

    private Node(JsonNode node, String path, String childPrefix, Dialect dialect, List<String> problems) {
        this.node = node;
        this.path = path;
        this.childPrefix = childPrefix;
        this.dialect = dialect;
        this.problems = problems;
    }

    String path() {
        return path;
    }

    Dialect dialect() {
        return dialect;
    }

    List<String> problems() {
        return problems;
    }

    void problem(String message) {
        problems.add(message);
    }

    private String at(String key) {
        return childPrefix + key;
    }

    String at(InputKey key) {
        return at(key.in(dialect));
    }

    /** The child under {@code key} (ignoring case), if present and not null. */
    Optional<JsonNode> raw(String key) {
        JsonNode exact = node.get(key);
        if (exact != null) {
            return exact.isNull() ? Optional.empty() : Optional.of(exact);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equalsIgnoreCase(key)) {
                return f.getValue().isNull() ? Optional.empty() : Optional.of(f.getValue());
            }
        }
        return Optional.empty();
    }

    Optional<JsonNode> raw(InputKey key) {
        return raw(key.in(dialect));
    }

    boolean has(InputKey key) {
        return raw(key).isPresent();
    }

    /** Records a problem for every key not in {@code allowed} (Flotilla's YAML only: catches typos). */
    void rejectUnknownKeys(Set<InputKey> allowed) {
        if (dialect != Dialect.YAML) {
            return;
        }
        List<String> names = allowed.stream().map(k -> k.in(dialect)).toList();
        node.fieldNames().forEachRemaining(k -> {
            if (names.stream().noneMatch(n -> n.equalsIgnoreCase(k))) {
                problems.add(at(k) + ": unknown key (expected one of: " + String.join(", ", names) + ")");
            }
        });
    }

    Optional<Node> object(InputKey key, boolean required) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(at(key) + ": missing");
            }
            return Optional.empty();
        }
        if (!v.get().isObject()) {
            problems.add(at(key) + ": " + shown(v.get()) + " (expected: an object)");
            return Optional.empty();
        }
        return Optional.of(new Node(v.get(), at(key), dialect, problems));
    }

    /** Elements of the list under {@code key}; each element path is {@code key[i]}. */
    List<Node> list(InputKey key, boolean required) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(at(key) + ": missing");
            }
            return List.of();
        }
        if (!v.get().isArray()) {
            problems.add(at(key) + ": " + shown(v.get()) + " (expected: a list)");
            return List.of();
        }
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < v.get().size(); i++) {
            JsonNode e = v.get().get(i);
            String p = at(key) + "[" + i + "]";
            if (!e.isObject()) {
                problems.add(p + ": " + shown(e) + " (expected: an object)");
                continue;
            }
            out.add(new Node(e, p, dialect, problems));
        }
        return out;
    }

    /** This node with a readable path, e.g. {@code servers[2] "Premium-llama"}. */
    Node named(String name) {
        String p = path + " \"" + name + "\"";
        return new Node(node, p, p + ": ", dialect, problems);
    }

    String string(InputKey key, String fallback, boolean required) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(at(key) + ": missing");
            }
            return fallback;
        }
        if (!v.get().isValueNode() || v.get().isBoolean() && dialect == Dialect.INFERNO) {
            problems.add(at(key) + ": " + shown(v.get()) + " (expected: a string)");
            return fallback;
        }
        return v.get().asText();
    }

    double number(InputKey key, double fallback, boolean required) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(at(key) + ": missing");
            }
            return fallback;
        }
        JsonNode n = v.get();
        double d;
        if (n.isNumber()) {
            d = n.asDouble();
        } else {
            problems.add(at(key) + ": " + shown(n) + " (expected: a number)");
            return fallback;
        }
        if (!Double.isFinite(d)) {
            problems.add(at(key) + ": " + shown(n) + " (expected: a finite number)");
            return fallback;
        }
        return d;
    }

    int integer(InputKey key, int fallback, boolean required) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            if (required) {
                problems.add(at(key) + ": missing");
            }
            return fallback;
        }
        JsonNode n = v.get();
        if (!n.isNumber()) {
            problems.add(at(key) + ": " + shown(n) + " (expected: a whole number)");
            return fallback;
        }
        double d = n.asDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            problems.add(at(key) + ": " + shown(n) + " (expected: a whole number)");
            return fallback;
        }
        return (int) d;
    }

    boolean bool(InputKey key, boolean fallback) {
        Optional<JsonNode> v = raw(key);
        if (v.isEmpty()) {
            return fallback;
        }
        if (!v.get().isBoolean()) {
            problems.add(at(key) + ": " + shown(v.get()) + " (expected: true or false)");
            return fallback;
        }
        return v.get().asBoolean();
    }

    static String shown(JsonNode n) {
        String s = n.isTextual() ? "\"" + n.asText() + "\"" : n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
