package dev.flotilla.gateway.fleet;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies edits of the config file's node list to the running fleet. The rules:
 * <ul>
 * <li>The file owns the nodes it declares, and its edits are applied as changes (a {@link NodeDiff}
 *     between the last applied version and the new one): a node added to the file joins the fleet,
 *     a node deleted from it leaves (gracefully, after its requests in flight), a new URL replaces
 *     the node, new facts are changed in place.</li>
 * <li>Nodes added through the admin API are not the file's: an edit never removes them. When the
 *     file adds a node under the name of such a node, the file's definition wins and the file owns
 *     it from then on.</li>
 * <li>A file node removed through the admin API stays removed until its entry in the file changes
 *     (or is deleted and added again), or the gateway restarts.</li>
 * <li>A change the fleet refuses (the URL is another node's) is logged at WARN and left out; it is
 *     tried again at the next edit of the file.</li>
 * </ul>
 * Thread-safe (one edit at a time).
 */
public final class FileNodeSync {
    private static final Logger LOG = LoggerFactory.getLogger(FileNodeSync.class);

    private final NodeRegistry registry;
    private final String source;
    /** The file's nodes as last applied (refused changes left out, so that they are tried again). */
    private List<GatewayConfig.Node> declared;

    /**
     * @param declared the nodes the file declared when the fleet was built from it
     * @param source   the file's name, for the log and the removal reason
     */
    public FileNodeSync(NodeRegistry registry, List<GatewayConfig.Node> declared, String source) {
        this.registry = registry;
        this.declared = List.copyOf(declared);
        this.source = source;
    }

    /** Applies the new version of the file's node list; returns one line per change made or refused (also logged). */
    public synchronized List<String> apply(List<GatewayConfig.Node> nodes) {
        NodeDiff diff = NodeDiff.between(declared, nodes);
        List<GatewayConfig.Node> applied = new ArrayList<>(nodes);
        List<String> report = new ArrayList<>();
        for (NodeDiff.Change change : diff.changes()) {
            switch (change) {
                case NodeDiff.Remove r -> report.add(remove(r.name()));
                case NodeDiff.Add a -> {
                    String refused = upsert(a.node(), report);
                    if (refused != null) {
                        applied.remove(a.node());
                    }
                }
                case NodeDiff.Readdress r -> {
                    if (upsert(r.to(), report) != null) {
                        applied.set(applied.indexOf(r.to()), r.from());
                    }
                }
                case NodeDiff.UpdateFacts u -> {
                    if (upsert(u.node(), report) != null) {
                        applied.remove(u.node());
                    }
                }
            }
        }
        declared = List.copyOf(applied);
        return report;
    }

    /** The file's nodes as last applied. */
    public synchronized List<GatewayConfig.Node> declared() {
        return declared;
    }

    private String remove(String name) {
        String line = switch (registry.remove(name, "removed from " + source)) {
            case RemoveResult.Removed r -> "node " + name + " removed";
            case RemoveResult.Pending p -> "node " + name + " removing: out of rotation, leaves after its "
                    + p.inFlight() + " request(s) in flight";
            case RemoveResult.Unknown u -> "node " + name + " already gone";
        };
        LOG.info("{}: {}", source, line);
        return line;
    }

    /** Adds or redefines the node; returns the refusal, or null when the fleet took it. */
    private String upsert(GatewayConfig.Node node, List<String> report) {
        String name = node.name();
        Conflict refused = null;
        String line;
        if (registry.snapshot(name) == null) {
            switch (registry.add(node)) {
                case AddResult.Added a -> line = "node " + name + " added at " + node.url();
                case AddResult.Rejected r -> {
                    refused = r.conflict();
                    line = "node " + name + " not added: " + refused.message();
                }
            }
        } else {
            line = switch (registry.replace(node)) {
                case ReplaceResult.Unchanged u -> "node " + name + " unchanged";
                case ReplaceResult.FactsUpdated f -> "node " + name + " facts updated";
                case ReplaceResult.Replaced r -> "node " + name + " replaced by " + node.url();
                case ReplaceResult.Pending p -> "node " + name + " to be replaced by " + node.url() + " after its "
                        + p.inFlight() + " request(s) in flight";
                case ReplaceResult.Rejected r -> {
                    refused = r.conflict();
                    yield "node " + name + " not changed: " + refused.message();
                }
                // it left between the two calls: add it
                case ReplaceResult.Unknown u -> null;
            };
            if (line == null) {
                return upsert(node, report);
            }
        }
        if (refused != null) {
            LOG.warn("{}: {} (left out; saving the file again retries it)", source, line);
        } else {
            LOG.info("{}: {}", source, line);
        }
        report.add(line);
        return refused == null ? null : refused.message();
    }
}
