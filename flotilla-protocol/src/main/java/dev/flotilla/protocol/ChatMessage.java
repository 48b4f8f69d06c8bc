package dev.flotilla.protocol;

/** One message of a chat conversation; {@code content} is the text of all its text parts. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || content == null) {
            throw new IllegalArgumentException("role and content are required");
        }
    }
}
