package dev.flotilla.engine.llama;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.protocol.ChatMessage;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlainChatTemplateTest {

    static Stream<Arguments> conversations() {
        return Stream.of(
                Arguments.of(Named.of("one user message is the prompt itself",
                        List.of(new ChatMessage("user", "Once upon a time"))), "Once upon a time"),
                Arguments.of(Named.of("system, user and assistant become paragraphs",
                        List.of(new ChatMessage("system", "Tell a story."), new ChatMessage("user", "A cat"),
                                new ChatMessage("assistant", "The cat sat."), new ChatMessage("user", "Then"))),
                        "Tell a story.\n\nA cat\n\nThe cat sat.\n\nThen"),
                Arguments.of(Named.of("blank messages leave no empty paragraph",
                        List.of(new ChatMessage("system", " "), new ChatMessage("user", "Lily"))), "Lily"),
                Arguments.of(Named.of("no messages give an empty prompt", List.of()), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void render_messages_plainParagraphs(List<ChatMessage> messages, String expected) {
        assertThat(PlainChatTemplate.render(messages)).isEqualTo(expected);
    }
}
