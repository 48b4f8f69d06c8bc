package dev.flotilla.engine.llama;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes GGUF headers for tests, little-endian as the format says. */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static GgufBytes header(int version, long tensorCount, long kvCount) {
        GgufBytes b = new GgufBytes();
        b.raw(new byte[] {'G', 'G', 'U', 'F'}).u32(version).u64(tensorCount).u64(kvCount);
        return b;
    }

    GgufBytes raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u16(int v) {
        return raw(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
    }

    GgufBytes u32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    GgufBytes u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    GgufBytes string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return u64(bytes.length).raw(bytes);
    }

    /** A key followed by its value type; the caller writes the value. */
    GgufBytes key(String key, int type) {
        return string(key).u32(type);
    }

    GgufBytes kvString(String key, String value) {
        return key(key, 8).string(value);
    }

    GgufBytes kvU32(String key, int value) {
        return key(key, 4).u32(value);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
