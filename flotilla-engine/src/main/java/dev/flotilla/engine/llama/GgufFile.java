package dev.flotilla.engine.llama;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The header of a GGUF model file, read and checked by us before llama.cpp sees the file, because
 * llama.cpp reports every load failure with the same message. Holds the scalar and string metadata
 * values; arrays (vocabulary, scores) are skipped.
 *
 * @param path        the file
 * @param version     the GGUF version (2 or 3)
 * @param tensorCount the number of tensors the header announces
 * @param metadata    scalar metadata: strings as {@link String}, integers as {@link Long} (unsigned 64-bit
 *                    values above {@code Long.MAX_VALUE} wrap), floats as {@link Double}, booleans as {@link Boolean}
 */
public record GgufFile(Path path, int version, long tensorCount, Map<String, Object> metadata) {

    /** The first four bytes of every GGUF file. */
    static final byte[] MAGIC = {'G', 'G', 'U', 'F'};

    public GgufFile {
        metadata = Map.copyOf(metadata);
    }

    /**
     * Checks that {@code path} is a readable GGUF file of a supported version and reads its metadata.
     *
     * @throws ModelFileException naming the path and the problem
     */
    public static GgufFile read(Path path) {
        return GgufReader.read(path);
    }

    /** A string value, if the key is present and holds a string. */
    public Optional<String> string(String key) {
        return metadata.get(key) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** An integer value, if the key is present and holds an integer. */
    public OptionalLong integer(String key) {
        return metadata.get(key) instanceof Long l ? OptionalLong.of(l) : OptionalLong.empty();
    }

    /** {@code general.architecture}, e.g. "llama". */
    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /** {@code general.name}, the name the model's converter gave it. */
    public Optional<String> name() {
        return string("general.name");
    }

    /** {@code <architecture>.context_length}: the context the model was trained for. */
    public OptionalLong contextLength() {
        return architecture().map(arch -> integer(arch + ".context_length")).orElse(OptionalLong.empty());
    }

    /** {@code tokenizer.chat_template}, the model's Jinja chat template, if it has one. */
    public Optional<String> chatTemplate() {
        return string("tokenizer.chat_template").filter(t -> !t.isBlank());
    }
}
