package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.protocol.ChatMessage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model whose GGUF has a chat template: a copy of stories260K with a ChatML template added. */
class ChatTemplateIT {
    private static final String CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    @TempDir
    static Path dir;
    private static LlamaEngine engine;

    @BeforeAll
    static void load() throws Exception {
        Path model = withChatTemplate(SharedModel.stories260K(), dir.resolve("stories-chatml.gguf"), CHATML);
        engine = LlamaEngine.load(LlamaConfig.of(model).withSlots(1).withCtxPerSlot(256).withEosTokenOverride(1),
                Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void chatPrompt_ggufWithTemplate_llamaCppAppliesIt() {
        String prompt = engine.chatPrompt(List.of(
                new ChatMessage("system", "Tell stories."),
                new ChatMessage("developer", "Short ones."),
                new ChatMessage("user", "A cat"),
                new ChatMessage("assistant", "The cat sat."),
                new ChatMessage("tool", "Then")));

        assertThat(engine.gguf().chatTemplate().orElseThrow()).startsWith("{% for message in messages %}");
        assertThat(prompt).isEqualTo("""
                <|im_start|>system
                Tell stories.

                Short ones.<|im_end|>
                <|im_start|>user
                A cat<|im_end|>
                <|im_start|>assistant
                The cat sat.<|im_end|>
                <|im_start|>user
                Then<|im_end|>
                <|im_start|>assistant
                """);
    }

    /**
     * Inserts {@code tokenizer.chat_template} as the first metadata pair. Padding the pair to a multiple of the
     * GGUF alignment (32) with a Jinja comment keeps the tensor data aligned without moving anything else.
     */
    private static Path withChatTemplate(Path source, Path target, String template) throws Exception {
        byte[] original = Files.readAllBytes(source);
        String key = "tokenizer.chat_template";
        int fixed = 8 + key.length() + 4 + 8 + template.length() + "{##}".length();
        String padded = template + "{#" + " ".repeat(Math.floorMod(-fixed, 32)) + "#}";
        ByteArrayOutputStream kv = new ByteArrayOutputStream();
        kv.writeBytes(le64(key.length()));
        kv.writeBytes(key.getBytes());
        kv.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(8).array());
        kv.writeBytes(le64(padded.length()));
        kv.writeBytes(padded.getBytes());
        assertThat(kv.size() % 32).as("inserted bytes keep the 32-byte alignment").isZero();

        long kvCount = ByteBuffer.wrap(original, 16, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Arrays.copyOf(original, 16));
        out.writeBytes(le64(kvCount + 1));
        out.writeBytes(kv.toByteArray());
        out.write(original, 24, original.length - 24);
        return Files.write(target, out.toByteArray());
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
