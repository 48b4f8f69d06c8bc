package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LlamaConfigTest {
    private static final LlamaConfig BASE = LlamaConfig.of(Path.of("/models/stories260K.gguf"));

    @Test
    void of_path_defaultsAndNameFromFile() {
        assertThat(BASE.modelName()).isEqualTo("stories260K");
        assertThat(BASE.slots()).isEqualTo(2);
        assertThat(BASE.ctxPerSlot()).isEqualTo(512);
        assertThat(BASE.threads()).isEqualTo(1);
        assertThat(BASE.eosTokenOverride()).isNull();
        assertThat(BASE.nativeTmpDir()).isNull();
        assertThat(LlamaConfig.of(Path.of("plain")).modelName()).isEqualTo("plain");
        assertThat(BASE.withModelName("stories").modelName()).isEqualTo("stories");
        assertThat(BASE.withModelName(" ").modelName()).isEqualTo("stories260K");
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Named.of("no path", (UnaryOperator<LlamaConfig>) c ->
                        new LlamaConfig(null, null, 1, 512, 1, null, null)), "modelPath: null"),
                Arguments.of(Named.of("zero slots", (UnaryOperator<LlamaConfig>) c -> c.withSlots(0)),
                        "slots: 0 (expected 1 to 256)"),
                Arguments.of(Named.of("too many slots", (UnaryOperator<LlamaConfig>) c -> c.withSlots(257)),
                        "slots: 257 (expected 1 to 256)"),
                Arguments.of(Named.of("tiny context", (UnaryOperator<LlamaConfig>) c -> c.withCtxPerSlot(4)),
                        "ctxPerSlot: 4 (expected >= 8)"),
                Arguments.of(Named.of("huge total context", (UnaryOperator<LlamaConfig>) c ->
                        c.withSlots(256).withCtxPerSlot(8192)), "ctxPerSlot: 8192 with slots 256"),
                Arguments.of(Named.of("zero threads", (UnaryOperator<LlamaConfig>) c -> c.withThreads(0)),
                        "threads: 0 (expected >= 1)"),
                Arguments.of(Named.of("negative EOS id", (UnaryOperator<LlamaConfig>) c -> c.withEosTokenOverride(-1)),
                        "eosTokenOverride: -1 (expected a token id >= 0)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void constructor_invalidValue_namesFieldAndValue(UnaryOperator<LlamaConfig> change, String message) {
        assertThatThrownBy(() -> change.apply(BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void nativeSeed_anySeed_nonNegative31Bits() {
        assertThat(LlamaEngine.nativeSeed(-1L)).isNotNegative();
        assertThat(LlamaEngine.nativeSeed(42L)).isEqualTo(42);
        assertThat(LlamaEngine.nativeSeed(1L << 32)).isEqualTo(1);
        assertThat(LlamaEngine.nativeSeed(Long.MIN_VALUE)).isNotNegative();
    }
}
