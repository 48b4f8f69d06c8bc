package dev.flotilla.planner.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flotilla.planner.io.ProblemParser.Section;
import dev.flotilla.planner.model.InputKey;
import dev.flotilla.planner.model.InputKey.Dialect;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a planning problem in any of the accepted forms:
 * <ul>
 *   <li>a directory of Inferno's six files ({@code accelerator-data.json}, {@code capacity-data.json},
 *       {@code model-data.json}, {@code serviceclass-data.json}, {@code server-data.json},
 *       {@code optimizer-data.json}; capacity and optimizer may be left out);</li>
 *   <li>Inferno's single SystemData document ({@code {"system": {"acceleratorData": ..., ...}}}, the
 *       body of its {@code POST /optimizeOne});</li>
 *   <li>Flotilla's YAML ({@code .yaml}/{@code .yml}): the same structure with kebab-case keys (see
 *       docs/planner.md).</li>
 * </ul>
 * Inferno's keys match ignoring case, as Go's encoding/json matches them. Any problem with the
 * input is a {@link PlannerInputException} listing every problem with its file and entry.
 */
public final class ProblemReader {

    /** Inferno's file names in a sample-data directory. */
    public static final String ACCELERATOR_FILE = "accelerator-data.json";
    public static final String CAPACITY_FILE = "capacity-data.json";
    public static final String MODEL_FILE = "model-data.json";
    public static final String SERVICE_CLASS_FILE = "serviceclass-data.json";
    public static final String SERVER_FILE = "server-data.json";
    public static final String OPTIMIZER_FILE = "optimizer-data.json";
    public static final String SYSTEM_FILE = "system-data.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();

    private ProblemReader() {
    }

    /** Reads a directory, a SystemData JSON document or a YAML file, telling them apart by form and extension. */
    public static Problem read(Path path) {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(ACCELERATOR_FILE))) {
                return readInfernoDirectory(path);
            }
            if (Files.isRegularFile(path.resolve(SYSTEM_FILE))) {
                return readInfernoSystem(path.resolve(SYSTEM_FILE));
            }
            throw new PlannerInputException(path + ": no " + ACCELERATOR_FILE + " or " + SYSTEM_FILE
                    + " in this directory (expected: Inferno's six *-data.json files, or its SystemData document)");
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            return readYaml(path);
        }
        return readInfernoSystem(path);
    }

    /** Reads Inferno's six files from {@code dir}. */
    public static Problem readInfernoDirectory(Path dir) {
        Section acc = section(dir, ACCELERATOR_FILE, true).orElseThrow();
        Optional<Section> cap = section(dir, CAPACITY_FILE, false);
        Section mod = section(dir, MODEL_FILE, true).orElseThrow();
        Section svc = section(dir, SERVICE_CLASS_FILE, true).orElseThrow();
        Section srv = section(dir, SERVER_FILE, true).orElseThrow();
        Optional<Section> opt = section(dir, OPTIMIZER_FILE, false);
        return new ProblemParser(Dialect.INFERNO).parse(acc, cap, mod, svc, srv, opt);
    }

    /** Reads Inferno's SystemData document from a file. */
    public static Problem readInfernoSystem(Path file) {
        return parseInfernoSystem(readString(file), file.getFileName().toString());
    }

    /** Parses Inferno's SystemData document; {@code source} names it in messages. */
    public static Problem parseInfernoSystem(String json, String source) {
        JsonNode root = parse(JSON, json, source);
        List<String> problems = new ArrayList<>();
        Node top = new Node(root, "", Dialect.INFERNO, problems);
        JsonNode system = top.raw("system").orElse(null);
        if (system == null || !system.isObject()) {
            throw new PlannerInputException(source + ": system: missing (expected: Inferno's SystemData document "
                    + "{\"system\": {\"acceleratorData\": ..., \"modelData\": ..., \"serviceClassData\": ..., "
                    + "\"serverData\": ..., \"capacityData\": ..., \"optimizerData\": ...}})");
        }
        Node sys = new Node(system, "system", Dialect.INFERNO, problems);
        Section acc = part(sys, "acceleratorData", source, problems, true).orElseThrow();
        Optional<Section> cap = part(sys, "capacityData", source, problems, false);
        Section mod = part(sys, "modelData", source, problems, true).orElseThrow();
        Section svc = part(sys, "serviceClassData", source, problems, true).orElseThrow();
        Section srv = part(sys, "serverData", source, problems, true).orElseThrow();
        Optional<Section> opt = part(sys, "optimizerData", source, problems, false);
        return new ProblemParser(Dialect.INFERNO).parse(acc, cap, mod, svc, srv, opt);
    }

    /** Reads Flotilla's YAML from a file. */
    public static Problem readYaml(Path file) {
        return parseYaml(readString(file), file.getFileName().toString());
    }

    /** Parses Flotilla's YAML; {@code source} names it in messages. */
    public static Problem parseYaml(String yaml, String source) {
        JsonNode root = parse(YAML, yaml, source);
        if (root == null || !root.isObject()) {
            throw new PlannerInputException(source + ": " + (root == null ? "empty" : Node.shown(root))
                    + " (expected: a mapping with accelerators, capacity, models, service-classes, servers, optimizer)");
        }
        List<String> problems = new ArrayList<>();
        Node top = new Node(root, "", Dialect.YAML, problems);
        top.rejectUnknownKeys(java.util.EnumSet.of(InputKey.ACCELERATORS, InputKey.CAPACITY, InputKey.MODELS,
                InputKey.SERVICE_CLASSES, InputKey.SERVERS, InputKey.OPTIMIZER));
        Section all = new Section(top, source);
        Optional<Section> cap = top.has(InputKey.CAPACITY) ? Optional.of(all) : Optional.empty();
        Optional<Section> opt = top.has(InputKey.OPTIMIZER) ? Optional.of(all) : Optional.empty();
        return new ProblemParser(Dialect.YAML).parse(all, cap, all, all, all, opt);
    }

    private static Optional<Section> section(Path dir, String file, boolean required) {
        Path path = dir.resolve(file);
        if (!Files.exists(path)) {
            if (required) {
                throw new PlannerInputException(path + ": missing (expected: Inferno's " + file + ")");
            }
            return Optional.empty();
        }
        JsonNode root = parse(JSON, readString(path), file);
        if (root == null || !root.isObject()) {
            throw new PlannerInputException(file + ": " + (root == null ? "empty" : Node.shown(root))
                    + " (expected: a JSON object)");
        }
        return Optional.of(new Section(new Node(root, "", Dialect.INFERNO, new ArrayList<>()), file));
    }

    private static Optional<Section> part(Node system, String key, String source, List<String> problems,
            boolean required) {
        Optional<JsonNode> v = system.raw(key);
        if (v.isEmpty() || !v.get().isObject()) {
            if (required) {
                throw new PlannerInputException(source + ": system." + key + ": "
                        + v.map(Node::shown).orElse("missing") + " (expected: an object)");
            }
            return Optional.empty();
        }
        return Optional.of(new Section(new Node(v.get(), "", Dialect.INFERNO, problems), source));
    }

    private static JsonNode parse(ObjectMapper mapper, String text, String source) {
        try {
            return mapper.readTree(text);
        } catch (JacksonException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new PlannerInputException(source + ": not valid " + (mapper == YAML ? "YAML" : "JSON") + where
                    + ": " + e.getOriginalMessage());
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new PlannerInputException(file + ": no such file");
        } catch (IOException e) {
            throw new PlannerInputException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }
}
