package dev.flotilla.engine.llama;

import java.nio.file.Path;

/**
 * A model file that cannot be used: missing, unreadable, not GGUF, corrupt, or refused by llama.cpp.
 * The message starts with the path and says what is wrong, so an operator can act on it alone.
 */
public final class ModelFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public ModelFileException(Path path, String problem) {
        super(path + ": " + problem);
        this.path = path;
    }

    public ModelFileException(Path path, String problem, Throwable cause) {
        super(path + ": " + problem, cause);
        this.path = path;
    }

    /** The model file the problem is about. */
    public Path path() {
        return path;
    }
}
