package dev.flotilla.planner.testdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Inferno's published inputs and solutions in the shared test-data directory the build passes as {@code flotilla.shared}. */
public final class InfernoTestData {

    public static final String V1_SMALL = "inferno-v1-small-sampledata-849e1e8";
    public static final String V1_LARGE = "inferno-v1-large-sampledata-849e1e8";
    public static final String V2_SMALL = "inferno-v2-perfparms-small-sampledata-125ab02";
    public static final String V2_LARGE = "inferno-v2-perfparms-large-sampledata-125ab02";
    public static final String QUEUE_EXAMPLES = "queue-analyzer-examples-queue-analysis-cfadd1c";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A cost tie: the published allocation and the equally cheap other one. */
    public record Tie(String publishedAccelerator, int publishedReplicas, String otherAccelerator, int otherReplicas,
            double cost) {
    }

    /**
     * Known ties, by case and server (from shared/testdata/inferno/README.md, confirmed by cost): Go
     * breaks them by map iteration order, so either side is right.
     */
    public static final Map<String, Tie> TIES = Map.of(
            V1_LARGE + "/Premium-llama3_8b", new Tie("2xMI300X", 1, "MI300X", 2, 130),
            V1_LARGE + "/Premium-mistral_7b", new Tie("2xG2", 1, "G2", 2, 46),
            V2_LARGE + "/Premium-granite_20b", new Tie("2xMI300X", 1, "MI300X", 2, 130));

    private InfernoTestData() {
    }

    /** {@code <shared>/testdata/inferno/<name>}, failing with what to do when it is missing. */
    public static Path dir(String name) {
        String shared = System.getProperty("flotilla.shared");
        if (shared == null || shared.isBlank()) {
            fail("system property flotilla.shared is not set: run the tests through Maven (surefire sets it to the "
                    + "shared directory beside the checkout, which holds testdata/inferno)");
        }
        Path dir = Path.of(shared, "testdata", "inferno", name);
        if (!Files.isDirectory(dir)) {
            fail(dir + " is missing: the planner tests need Inferno's sample data there (see "
                    + "shared/testdata/inferno/README.md)");
        }
        return dir;
    }

    /**
     * The case as Inferno's SystemData document ({@code POST /optimizeOne}'s body): its
     * {@code system-data.json} where it has one, else its six files put together.
     */
    public static String systemDocument(String name) {
        Path system = dir(name).resolve("system-data.json");
        try {
            if (Files.isRegularFile(system)) {
                return Files.readString(system);
            }
            ObjectNode root = JSON.createObjectNode();
            ObjectNode sys = root.putObject("system");
            sys.set("acceleratorData", json(name, "accelerator-data.json"));
            sys.set("capacityData", json(name, "capacity-data.json"));
            sys.set("modelData", json(name, "model-data.json"));
            sys.set("serviceClassData", json(name, "serviceclass-data.json"));
            sys.set("serverData", json(name, "server-data.json"));
            sys.set("optimizerData", json(name, "optimizer-data.json"));
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of a test-data directory as text. */
    public static String text(String name, String file) {
        try {
            return Files.readString(dir(name).resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks solution JSON ({@code {"allocations": ...}}) against the case's published
     * solution-data.json: every published server with the same accelerator, replicas, batch and cost
     * (or the other side of a known tie), ITL and TTFT within 0.1%, and no other server.
     */
    public static void assertMatchesPublished(String name, JsonNode ours) {
        JsonNode published = json(name, "solution-data.json").get("allocations");
        JsonNode allocations = ours.get("allocations");
        assertThat(allocations.size()).as("servers in the solution").isEqualTo(published.size());
        published.fields().forEachRemaining(e -> {
            String server = e.getKey();
            JsonNode p = e.getValue();
            JsonNode o = allocations.get(server);
            assertThat(o).as(server + " in the solution").isNotNull();
            Tie tie = TIES.get(name + "/" + server);
            if (tie != null && o.get("accelerator").asText().equals(tie.otherAccelerator())) {
                assertThat(o.get("numReplicas").asInt()).as(server + " replicas").isEqualTo(tie.otherReplicas());
                assertThat(o.get("cost").asDouble()).as(server + " cost").isEqualTo(tie.cost());
                return;
            }
            assertThat(o.get("accelerator").asText()).as(server + " accelerator").isEqualTo(p.get("accelerator").asText());
            assertThat(o.get("numReplicas").asInt()).as(server + " replicas").isEqualTo(p.get("numReplicas").asInt());
            assertThat(o.get("maxBatch").asInt()).as(server + " batch").isEqualTo(p.get("maxBatch").asInt());
            assertThat(o.get("cost").asDouble()).as(server + " cost").isCloseTo(p.get("cost").asDouble(), within(1e-3));
            for (String f : new String[] {"itlAverage", "ttftAverage"}) {
                double v = p.get(f).asDouble();
                assertThat(o.get(f).asDouble()).as(server + " " + f).isCloseTo(v, within(v * 1e-3));
            }
        });
    }

    /** A JSON file of a test-data directory as a tree. */
    public static JsonNode json(String name, String file) {
        try {
            return JSON.readTree(dir(name).resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
