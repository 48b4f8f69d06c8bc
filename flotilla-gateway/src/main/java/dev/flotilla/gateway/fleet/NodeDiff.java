package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two versions of a node list (the config file's, before and after an edit),
 * as the changes to make to the fleet, matched by name: removals first (they free names and URLs),
 * then, in the new list's order, new URLs, new facts and new nodes. A URL spelled differently for
 * the same server ({@link GatewayConfig.Node#serverKey()}) is no change. Pure.
 */
public record NodeDiff(List<Change> changes) {

    public NodeDiff {
        changes = List.copyOf(changes);
    }

    /** One change to the fleet. */
    public sealed interface Change {
        /** The node it concerns. */
        String name();
    }

    /** A node the old list did not have. */
    public record Add(GatewayConfig.Node node) implements Change {
        @Override
        public String name() {
            return node.name();
        }
    }

    /** A node the new list does not have any more. */
    public record Remove(String name) implements Change {
    }

    /** The node's URL names another server: the old node goes, a new one takes its place. */
    public record Readdress(GatewayConfig.Node from, GatewayConfig.Node to) implements Change {
        @Override
        public String name() {
            return to.name();
        }
    }

    /** Same server, other static facts (accelerator, memory, TFLOPS). */
    public record UpdateFacts(GatewayConfig.Node node) implements Change {
        @Override
        public String name() {
            return node.name();
        }
    }

    /** The changes that turn {@code before} into {@code after}; both are validated lists (unique names). */
    public static NodeDiff between(List<GatewayConfig.Node> before, List<GatewayConfig.Node> after) {
        Map<String, GatewayConfig.Node> old = byName(before);
        Map<String, GatewayConfig.Node> now = byName(after);
        List<Change> changes = new ArrayList<>();
        for (String name : old.keySet()) {
            if (!now.containsKey(name)) {
                changes.add(new Remove(name));
            }
        }
        for (GatewayConfig.Node n : now.values()) {
            GatewayConfig.Node was = old.get(n.name());
            if (was == null) {
                changes.add(new Add(n));
            } else if (!was.serverKey().equals(n.serverKey())) {
                changes.add(new Readdress(was, n));
            } else if (!sameFacts(was, n)) {
                changes.add(new UpdateFacts(n));
            }
        }
        return new NodeDiff(changes);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    private static boolean sameFacts(GatewayConfig.Node a, GatewayConfig.Node b) {
        return Objects.equals(a.accelerator(), b.accelerator()) && Objects.equals(a.memoryGb(), b.memoryGb())
                && Objects.equals(a.tflops(), b.tflops());
    }

    private static Map<String, GatewayConfig.Node> byName(List<GatewayConfig.Node> nodes) {
        Map<String, GatewayConfig.Node> out = new LinkedHashMap<>();
        for (GatewayConfig.Node n : nodes) {
            out.put(n.name(), n);
        }
        return out;
    }
}
