package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real test model in the shared directory the build passes as {@code flotilla.shared}. */
final class SharedModel {
    private SharedModel() {
    }

    static Path stories260K() {
        String shared = System.getProperty("flotilla.shared");
        if (shared == null || shared.isBlank()) {
            fail("system property flotilla.shared is not set: run the tests through Maven (surefire and failsafe "
                    + "set it to the shared directory holding models/stories260K.gguf)");
        }
        Path model = Path.of(shared, "models", "stories260K.gguf");
        if (!Files.isRegularFile(model)) {
            fail(model + " is missing: put stories260K.gguf (see shared/models/README.md) there");
        }
        return model;
    }
}
