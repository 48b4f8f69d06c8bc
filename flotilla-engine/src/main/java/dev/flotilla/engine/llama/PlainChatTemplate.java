package dev.flotilla.engine.llama;

import dev.flotilla.protocol.ChatMessage;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The prompt for models without a chat template (story and base models): the messages' contents as plain
 * paragraphs, separated by a blank line, with no role names and nothing appended. A single user message is
 * thus the prompt itself, and the model continues that text, which is what a story model can do.
 */
final class PlainChatTemplate {
    static final String SEPARATOR = "\n\n";

    private PlainChatTemplate() {
    }

    static String render(List<ChatMessage> messages) {
        return messages.stream()
                .map(ChatMessage::content)
                .filter(content -> !content.isBlank())
                .collect(Collectors.joining(SEPARATOR));
    }
}
