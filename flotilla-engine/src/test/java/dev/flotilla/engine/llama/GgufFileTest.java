package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GgufFileTest {

    @TempDir
    Path dir;

    /** Makes the file (or not) and returns its path. */
    interface Setup {
        Path make(Path dir) throws IOException;
    }

    static Setup file(byte[] content) {
        return dir -> Files.write(dir.resolve("model.gguf"), content);
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of(Named.of("missing file", (Setup) dir -> dir.resolve("missing.gguf")),
                        "no such file"),
                Arguments.of(Named.of("directory", (Setup) dir -> Files.createDirectory(dir.resolve("dir.gguf"))),
                        "a directory, not a model file"),
                Arguments.of(Named.of("empty file", file(new byte[0])),
                        "0 bytes, too small to be a GGUF file"),
                Arguments.of(Named.of("12-byte file", file(Arrays.copyOf(GgufBytes.header(3, 0, 0).bytes(), 12))),
                        "12 bytes, too small to be a GGUF file"),
                Arguments.of(Named.of("wrong magic", file(new GgufBytes().raw((byte) 0x7f, (byte) 'E', (byte) 'L',
                                (byte) 'F').u32(3).u64(0).u64(0).bytes())),
                        "not a GGUF file (first bytes 0x7f 0x45 0x4c 0x46"),
                Arguments.of(Named.of("version 1", file(GgufBytes.header(1, 0, 0).bytes())),
                        "unsupported GGUF version 1 (supported: 2, 3)"),
                Arguments.of(Named.of("version 4", file(GgufBytes.header(4, 0, 0).bytes())),
                        "unsupported GGUF version 4 (supported: 2, 3)"),
                Arguments.of(Named.of("metadata count larger than the file", file(GgufBytes.header(3, 0, 1000).bytes())),
                        "corrupt GGUF header: metadata count 1000 cannot fit in the file"),
                Arguments.of(Named.of("string length past the end", file(GgufBytes.header(3, 0, 1)
                                .u64(1_000_000).raw(new byte[16]).bytes())),
                        "corrupt GGUF header: string length 1000000 at offset 24 exceeds the file size 48"),
                Arguments.of(Named.of("unknown value type", file(GgufBytes.header(3, 0, 1)
                                .key("general.name", 99).u64(0).bytes())),
                        "corrupt GGUF header: metadata key \"general.name\" at offset 24 has unknown value type 99"),
                Arguments.of(Named.of("file ends inside a value", file(GgufBytes.header(3, 0, 1)
                                .key("llama.context_length", 10).u32(7).bytes())),
                        "corrupt GGUF header: the file ends inside the metadata"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void read_badFile_namesPathAndProblem(Setup setup, String problem) throws IOException {
        Path path = setup.make(dir);

        assertThatThrownBy(() -> GgufFile.read(path))
                .isInstanceOf(ModelFileException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(path + ": " + problem)
                .satisfies(e -> assertThat(((ModelFileException) e).path()).isEqualTo(path));
    }

    @Test
    void read_allValueTypes_keepsScalarsAndSkipsArrays() throws IOException {
        byte[] content = GgufBytes.header(3, 7, 17)
                .kvString("general.architecture", "llama")
                .kvString("general.name", "tiny ünïcode")
                .key("tokenizer.ggml.tokens", 9).u32(8).u64(3).string("<unk>").string("<s>").string("</s>")
                .key("tokenizer.ggml.scores", 9).u32(6).u64(3).u32(0).u32(0).u32(0)
                .key("nested", 9).u32(9).u64(2).u32(4).u64(1).u32(5).u32(8).u64(1).string("x")
                .kvU32("llama.context_length", 2048)
                .key("u8", 0).u8(200)
                .key("i8", 1).u8(0xFF)
                .key("u16", 2).u16(65535)
                .key("i16", 3).u16(0xFFFE)
                .key("i32", 5).u32(-5)
                .key("f32", 6).u32(Float.floatToIntBits(1.5f))
                .key("bool", 7).u8(1)
                .key("u64", 10).u64(1L << 40)
                .key("i64", 11).u64(-7)
                .key("f64", 12).u64(Double.doubleToLongBits(0.25))
                .kvString("tokenizer.chat_template", "{{ messages }}")
                .bytes();
        Path path = Files.write(dir.resolve("m.gguf"), content);

        GgufFile gguf = GgufFile.read(path);

        assertThat(gguf.version()).isEqualTo(3);
        assertThat(gguf.tensorCount()).isEqualTo(7);
        assertThat(gguf.name()).contains("tiny ünïcode");
        assertThat(gguf.architecture()).contains("llama");
        assertThat(gguf.contextLength()).hasValue(2048);
        assertThat(gguf.chatTemplate()).contains("{{ messages }}");
        assertThat(gguf.metadata()).doesNotContainKeys("tokenizer.ggml.tokens", "tokenizer.ggml.scores", "nested");
        assertThat(gguf.metadata()).containsAllEntriesOf(Map.of(
                "u8", 200L, "i8", -1L, "u16", 65535L, "i16", -2L, "i32", -5L, "f32", 1.5, "bool", true,
                "u64", 1L << 40, "i64", -7L, "f64", 0.25));
    }

    @Test
    void read_version2WithoutOptionalKeys_givesEmptyOptionals() throws IOException {
        Path path = Files.write(dir.resolve("v2.gguf"), GgufBytes.header(2, 0, 1)
                .kvString("tokenizer.chat_template", "  ").bytes());

        GgufFile gguf = GgufFile.read(path);

        assertThat(gguf.version()).isEqualTo(2);
        assertThat(gguf.name()).isEmpty();
        assertThat(gguf.contextLength()).isEmpty();
        assertThat(gguf.chatTemplate()).as("a blank template counts as none").isEmpty();
    }
}
