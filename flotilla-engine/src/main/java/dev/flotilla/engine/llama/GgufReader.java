package dev.flotilla.engine.llama;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reads a GGUF header: magic, version, tensor count, metadata count, then typed key/value pairs,
 * all little-endian (format: github.com/ggml-org/ggml docs/gguf.md). Tensor infos are not read.
 */
final class GgufReader {
    /** magic, version (u32), tensor count (u64), metadata count (u64). */
    static final int HEADER_BYTES = 24;

    private static final int MAX_ARRAY_DEPTH = 8;

    // GGUF value types
    private static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
            BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;

    private final Path path;
    private final long size;
    private final InputStream in;
    private long position;

    private GgufReader(Path path, long size, InputStream in) {
        this.path = path;
        this.size = size;
        this.in = in;
    }

    static GgufFile read(Path path) {
        if (!Files.exists(path)) {
            throw new ModelFileException(path, "no such file");
        }
        if (Files.isDirectory(path)) {
            throw new ModelFileException(path, "a directory, not a model file");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelFileException(path, "not a regular file");
        }
        if (!Files.isReadable(path)) {
            throw new ModelFileException(path, "unreadable (permission denied)");
        }
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw unreadable(path, e);
        }
        if (size < HEADER_BYTES) {
            throw new ModelFileException(path, size + " bytes, too small to be a GGUF file (its header alone takes "
                    + HEADER_BYTES + " bytes)");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return new GgufReader(path, size, in).header();
        } catch (EOFException e) {
            throw new ModelFileException(path, "corrupt GGUF header: the file ends inside the metadata", e);
        } catch (IOException e) {
            throw unreadable(path, e);
        }
    }

    private static ModelFileException unreadable(Path path, IOException e) {
        if (e instanceof AccessDeniedException) {
            return new ModelFileException(path, "unreadable (permission denied)", e);
        }
        return new ModelFileException(path, "unreadable (" + e + ")", e);
    }

    private GgufFile header() throws IOException {
        byte[] magic = bytes(4);
        if (!java.util.Arrays.equals(magic, GgufFile.MAGIC)) {
            HexFormat hex = HexFormat.ofDelimiter(" ").withPrefix("0x");
            throw new ModelFileException(path, "not a GGUF file (first bytes " + hex.formatHex(magic)
                    + ", expected 0x47 0x47 0x55 0x46 \"GGUF\")");
        }
        int version = u32();
        if (version != 2 && version != 3) {
            throw new ModelFileException(path, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (supported: 2, 3)");
        }
        long tensorCount = u64();
        long kvCount = u64();
        // each pair takes at least a key length (8), a type (4) and one value byte
        if (kvCount < 0 || kvCount > (size - position) / 13) {
            throw corrupt("metadata count " + Long.toUnsignedString(kvCount) + " cannot fit in the file");
        }
        Map<String, Object> metadata = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long keyAt = position;
            String key = string();
            int type = u32();
            Object value = value(type, key, keyAt, 0);
            if (value != null) {
                metadata.put(key, value);
            }
        }
        return new GgufFile(path, version, tensorCount, metadata);
    }

    /** Reads one value; arrays are skipped and give null. */
    private Object value(int type, String key, long keyAt, int depth) throws IOException {
        return switch (type) {
            case UINT8 -> (long) (bytes(1)[0] & 0xFF);
            case INT8 -> (long) bytes(1)[0];
            case UINT16 -> (long) (u16() & 0xFFFF);
            case INT16 -> (long) (short) u16();
            case UINT32 -> Integer.toUnsignedLong(u32());
            case INT32 -> (long) u32();
            case FLOAT32 -> (double) Float.intBitsToFloat(u32());
            case BOOL -> bytes(1)[0] != 0;
            case STRING -> string();
            case UINT64, INT64 -> u64();
            case FLOAT64 -> Double.longBitsToDouble(u64());
            case ARRAY -> {
                skipArray(key, keyAt, depth);
                yield null;
            }
            default -> throw corrupt("metadata key \"" + key + "\" at offset " + keyAt + " has unknown value type "
                    + Integer.toUnsignedString(type));
        };
    }

    private void skipArray(String key, long keyAt, int depth) throws IOException {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw corrupt("metadata key \"" + key + "\" at offset " + keyAt + " nests arrays deeper than "
                    + MAX_ARRAY_DEPTH);
        }
        int elementType = u32();
        long count = u64();
        int fixed = fixedSize(elementType);
        if (fixed > 0) {
            if (count < 0 || count > (size - position) / fixed) {
                throw corrupt("metadata key \"" + key + "\" at offset " + keyAt + ": array of "
                        + Long.toUnsignedString(count) + " elements cannot fit in the file");
            }
            skip(count * fixed);
            return;
        }
        for (long i = 0; i < count; i++) {
            if (elementType == STRING) {
                skip(length());
            } else {
                value(elementType, key, keyAt, depth + 1);
            }
        }
    }

    private static int fixedSize(int type) {
        return switch (type) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            default -> 0;
        };
    }

    private String string() throws IOException {
        long at = position;
        byte[] raw = bytes(Math.toIntExact(lengthUpTo(Integer.MAX_VALUE - 16)));
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw corrupt("string at offset " + at + " is not valid UTF-8");
        }
    }

    private long length() throws IOException {
        return lengthUpTo(Long.MAX_VALUE);
    }

    private long lengthUpTo(long max) throws IOException {
        long at = position;
        long length = u64();
        if (length < 0 || length > size - position || length > max) {
            throw corrupt("string length " + Long.toUnsignedString(length) + " at offset " + at
                    + " exceeds the file size " + size);
        }
        return length;
    }

    private ModelFileException corrupt(String what) {
        return new ModelFileException(path, "corrupt GGUF header: " + what);
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException();
        }
        position += n;
        return b;
    }

    private void skip(long n) throws IOException {
        in.skipNBytes(n);
        position += n;
    }

    private int u16() throws IOException {
        byte[] b = bytes(2);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8;
    }

    private int u32() throws IOException {
        byte[] b = bytes(4);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    private long u64() throws IOException {
        return Integer.toUnsignedLong(u32()) | (long) u32() << 32;
    }
}
