package dev.flotilla.planner.io;

import static dev.flotilla.planner.model.InputKey.ACCELERATORS;
import static dev.flotilla.planner.model.InputKey.COUNT;
import static dev.flotilla.planner.model.InputKey.MODELS;
import static dev.flotilla.planner.model.InputKey.OPTIMIZER;
import static dev.flotilla.planner.model.InputKey.SERVERS;
import static dev.flotilla.planner.model.InputKey.SERVICE_CLASSES;
import static dev.flotilla.planner.model.InputKey.TYPE;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.InputKey.Dialect;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the parts of Inferno's system data one at a time, as its stateful REST API receives them
 * ({@code AcceleratorData}, {@code AcceleratorSpec}, {@code CapacityData}, {@code AcceleratorCount},
 * {@code ModelData}, {@code ModelAcceleratorPerfData}, {@code ServiceClassData},
 * {@code ServiceClassSpec}, {@code ServerData}, {@code ServerSpec}, {@code OptimizerData}).
 *
 * <p>Each part is checked on its own: fields present and of the right type, numbers in range,
 * names unique within a list. Whether the names it uses exist (a model's accelerator, a server's
 * class) is checked when the parts are put together into a {@link Problem}, since Inferno accepts
 * them in any order. Problems are reported all at once as a {@link PlannerInputException}, each
 * prefixed by {@code source} and naming the entry and the field, e.g.
 * {@code addServer: server "s": currentAlloc.load.arrivalRate: -5 (expected: a finite number >= 0)}.
 */
public final class InfernoParts {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One accelerator type's card count. */
    public record Count(String type, int count) {
    }

    private InfernoParts() {
    }

    /** {@code {"accelerators": [AcceleratorSpec, ...]}}. */
    public static List<Accelerator> accelerators(String body, String source) {
        Reading r = new Reading(body, source, "AcceleratorData {\"accelerators\": [...]}");
        List<Accelerator> out = new ArrayList<>();
        for (Node n : r.root().list(ACCELERATORS, true)) {
            out.add(r.parser.accelerator(n));
        }
        r.check(Problem.entryProblems(out, Map.of(), List.of(), List.of(), List.of(), Dialect.INFERNO), null, null);
        return out;
    }

    /** One {@code AcceleratorSpec}. */
    public static Accelerator accelerator(String body, String source) {
        Reading r = new Reading(body, source, "AcceleratorSpec {\"name\", \"type\", \"cost\", ...}", "accelerator");
        Accelerator a = r.parser.accelerator(r.root());
        r.check(Problem.entryProblems(List.of(a), Map.of(), List.of(), List.of(), List.of(), Dialect.INFERNO),
                "accelerators[0]", "accelerator");
        return a;
    }

    /** {@code {"count": [{"type", "count"}, ...]}}, in order. */
    public static Map<String, Integer> capacities(String body, String source) {
        Reading r = new Reading(body, source, "CapacityData {\"count\": [{\"type\", \"count\"}, ...]}");
        Map<String, Integer> counts = r.parser.capacity(r.root());
        r.check(Problem.entryProblems(List.of(), counts, List.of(), List.of(), List.of(), Dialect.INFERNO), null, null);
        return counts;
    }

    /** One {@code AcceleratorCount}: {@code {"type", "count"}}. */
    public static Count count(String body, String source) {
        Reading r = new Reading(body, source, "AcceleratorCount {\"type\", \"count\"}");
        String type = r.root().string(TYPE, "", true);
        int count = r.root().integer(COUNT, 0, true);
        if (r.readProblems().isEmpty() && type.isBlank()) {
            r.root().problem("type: \"\" (expected: an accelerator type)");
        }
        Map<String, Integer> one = new LinkedHashMap<>();
        one.put(type, count);
        r.check(Problem.entryProblems(List.of(), one, List.of(), List.of(), List.of(), Dialect.INFERNO), null, null);
        return new Count(type, count);
    }

    /** {@code {"models": [ModelAcceleratorPerfData, ...]}}. */
    public static List<ModelPerf> models(String body, String source) {
        Reading r = new Reading(body, source, "ModelData {\"models\": [...]}");
        List<ModelPerf> out = new ArrayList<>();
        for (Node n : r.root().list(MODELS, true)) {
            out.add(r.parser.model(n));
        }
        r.check(Problem.entryProblems(List.of(), Map.of(), out, List.of(), List.of(), Dialect.INFERNO), null, null);
        return out;
    }

    /** One {@code ModelAcceleratorPerfData}: a model's performance on one accelerator. */
    public static ModelPerf modelPerf(String body, String source) {
        Reading r = new Reading(body, source, "ModelAcceleratorPerfData {\"name\", \"acc\", ...}", "model");
        ModelPerf m = r.parser.model(r.root());
        r.check(Problem.entryProblems(List.of(), Map.of(), List.of(m), List.of(), List.of(), Dialect.INFERNO),
                "models[0]", "model");
        return m;
    }

    /** {@code {"serviceClasses": [ServiceClassSpec, ...]}}. */
    public static List<ServiceClass> serviceClasses(String body, String source) {
        Reading r = new Reading(body, source, "ServiceClassData {\"serviceClasses\": [...]}");
        List<ServiceClass> out = new ArrayList<>();
        for (Node n : r.root().list(SERVICE_CLASSES, true)) {
            out.add(r.parser.serviceClass(n));
        }
        r.check(Problem.entryProblems(List.of(), Map.of(), List.of(), out, List.of(), Dialect.INFERNO), null, null);
        return out;
    }

    /** One {@code ServiceClassSpec}. */
    public static ServiceClass serviceClass(String body, String source) {
        Reading r = new Reading(body, source, "ServiceClassSpec {\"name\", \"priority\", \"modelTargets\"}",
                "serviceClass");
        ServiceClass c = r.parser.serviceClass(r.root());
        r.check(Problem.entryProblems(List.of(), Map.of(), List.of(), List.of(c), List.of(), Dialect.INFERNO),
                "serviceClasses[0]", "serviceClass");
        return c;
    }

    /**
     * {@code {"servers": [ServerSpec, ...]}}; {@code accelerators} and {@code models} price a current
     * allocation given without a cost.
     */
    public static List<Server> servers(String body, String source, List<Accelerator> accelerators,
            List<ModelPerf> models) {
        Reading r = new Reading(body, source, "ServerData {\"servers\": [...]}");
        List<Server> out = new ArrayList<>();
        for (Node n : r.root().list(SERVERS, true)) {
            out.add(r.parser.server(n, accelerators, models));
        }
        r.check(Problem.entryProblems(List.of(), Map.of(), List.of(), List.of(), out, Dialect.INFERNO), null, null);
        return out;
    }

    /** One {@code ServerSpec} (see {@link #servers}). */
    public static Server server(String body, String source, List<Accelerator> accelerators, List<ModelPerf> models) {
        Reading r = new Reading(body, source, "ServerSpec {\"name\", \"class\", \"model\", \"currentAlloc\", ...}",
                "server");
        Server s = r.parser.server(r.root(), accelerators, models);
        r.check(Problem.entryProblems(List.of(), Map.of(), List.of(), List.of(), List.of(s), Dialect.INFERNO),
                "servers[0]", "server");
        return s;
    }

    /**
     * Optimizer settings: {@code OptimizerData} ({@code {"optimizer": {...}}}) or the bare
     * {@code OptimizerSpec} ({@code {"unlimited": ..., "milpSolver": ...}}, the body of Inferno's
     * {@code POST /optimize}); a blank body gives {@code fallback}.
     */
    public static OptimizerSettings optimizer(String body, String source, OptimizerSettings fallback) {
        if (body == null || body.isBlank()) {
            return fallback;
        }
        Reading r = new Reading(body, source, "OptimizerData {\"optimizer\": {...}} or OptimizerSpec");
        Node spec = r.root().has(OPTIMIZER) ? r.root().object(OPTIMIZER, true).orElse(r.root()) : r.root();
        OptimizerSettings settings = r.parser.optimizer(spec);
        r.check(List.of(), null, null);
        return settings;
    }

    /** A body being read: its root object, the problems found so far, the source for messages. */
    private static final class Reading {
        final ProblemParser parser = new ProblemParser(Dialect.INFERNO);
        private final String source;
        private final List<String> problems = new ArrayList<>();
        private final Node root;

        Reading(String body, String source, String expected) {
            this(body, source, expected, "");
        }

        /** @param path the name of the entry in messages when the body is a single entry, e.g. {@code server} */
        Reading(String body, String source, String expected, String path) {
            this.source = source;
            if (body == null || body.isBlank()) {
                throw new PlannerInputException(source + ": empty body (expected: " + expected + ")");
            }
            JsonNode tree;
            try {
                tree = JSON.readTree(body);
            } catch (JacksonException e) {
                String where = e.getLocation() == null ? ""
                        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
                throw new PlannerInputException(source + ": not valid JSON" + where + ": " + e.getOriginalMessage());
            }
            if (tree == null || !tree.isObject()) {
                throw new PlannerInputException(source + ": " + (tree == null ? "empty" : Node.shown(tree))
                        + " (expected: " + expected + ")");
            }
            this.root = new Node(tree, path, Dialect.INFERNO, problems);
        }

        /** The list entry a problem is about, e.g. {@code servers[2]}. */
        private static String entryOf(String problem) {
            int end = problem.indexOf(']');
            return end < 0 ? problem : problem.substring(0, end + 1);
        }

        Node root() {
            return root;
        }

        List<String> readProblems() {
            return problems;
        }

        /**
         * Throws with the reading problems and the checks' problems of entries that could be read,
         * the checks' entry prefix {@code listEntry} (e.g. {@code servers[0]}) renamed to {@code single}.
         */
        void check(List<String> checks, String listEntry, String single) {
            List<String> all = new ArrayList<>();
            problems.stream().distinct().forEach(p -> all.add(source + ": " + p));
            // an entry that could not be read is reported once, by the reader
            Set<String> unreadable = problems.stream().map(Reading::entryOf).collect(Collectors.toSet());
            for (String p : checks) {
                if (listEntry != null ? problems.isEmpty() : !unreadable.contains(entryOf(p))) {
                    all.add(source + ": " + (listEntry != null && p.startsWith(listEntry + " ")
                            ? single + p.substring(listEntry.length()) : p));
                }
            }
            if (!all.isEmpty()) {
                throw new PlannerInputException(all);
            }
        }
    }
}
