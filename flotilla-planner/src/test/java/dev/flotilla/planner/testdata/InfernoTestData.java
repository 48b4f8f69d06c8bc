package dev.flotilla.planner.testdata;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Inferno's published inputs and solutions in the shared test-data directory the build passes as {@code flotilla.shared}. */
public final class InfernoTestData {

    public static final String V1_SMALL = "inferno-v1-small-sampledata-849e1e8";
    public static final String V1_LARGE = "inferno-v1-large-sampledata-849e1e8";
    public static final String V2_SMALL = "inferno-v2-perfparms-small-sampledata-125ab02";
    public static final String V2_LARGE = "inferno-v2-perfparms-large-sampledata-125ab02";
    public static final String QUEUE_EXAMPLES = "queue-analyzer-examples-queue-analysis-cfadd1c";

    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** A JSON file of a test-data directory as a tree. */
    public static JsonNode json(String name, String file) {
        try {
            return JSON.readTree(dir(name).resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
