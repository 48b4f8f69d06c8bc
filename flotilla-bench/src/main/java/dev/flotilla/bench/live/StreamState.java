package dev.flotilla.bench.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.protocol.Sse;
import java.util.Arrays;

/**
 * What one streamed response has shown so far: when content tokens arrived, the usage chunk, and
 * whether the stream was well-formed. A content token is a chunk whose {@code delta.content} (chat)
 * or {@code text} (completions) is non-empty; role-only and usage-only chunks are not tokens.
 */
final class StreamState {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long sentNanos;
    private long firstToken = -1;
    private long lastToken = -1;
    private long[] gaps = new long[16];
    private int gapCount;
    private int chunks;
    private int usagePrompt = -1;
    private int usageCompletion = -1;
    private boolean done;
    private String malformed;
    private String streamError;

    StreamState(long sentNanos) {
        this.sentNanos = sentNanos;
    }

    /** One event's data, received at {@code now}. */
    void event(String data, long now) {
        if (done || malformed != null || streamError != null) {
            return;
        }
        if (Sse.DONE.equals(data)) {
            done = true;
            return;
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            malformed = "event is not JSON: " + abbreviate(data);
            return;
        }
        if (node == null || !node.isObject()) {
            malformed = "event is not a JSON object: " + abbreviate(data);
            return;
        }
        if (node.hasNonNull("error")) {
            streamError = abbreviate(node.get("error").toString());
            return;
        }
        JsonNode choices = node.path("choices");
        if (choices.isArray() && !choices.isEmpty()) {
            JsonNode choice = choices.get(0);
            String text = choice.path("delta").path("content").asText(choice.path("text").asText(""));
            if (!text.isEmpty()) {
                token(now);
            }
        }
        JsonNode usage = node.path("usage");
        if (usage.isObject()) {
            usagePrompt = usage.path("prompt_tokens").asInt(-1);
            usageCompletion = usage.path("completion_tokens").asInt(-1);
        }
    }

    private void token(long now) {
        chunks++;
        if (firstToken < 0) {
            firstToken = now;
        } else {
            if (gapCount == gaps.length) {
                gaps = Arrays.copyOf(gaps, gapCount * 2);
            }
            gaps[gapCount++] = now - lastToken;
        }
        lastToken = now;
    }

    boolean done() {
        return done;
    }

    /** Why the stream is malformed, or null. */
    String malformed() {
        return malformed;
    }

    /** The server's error event, or null. */
    String streamError() {
        return streamError;
    }

    /** Send to first token; the whole latency when no token came. */
    long ttftNanos(long endNanos) {
        return (firstToken < 0 ? endNanos : firstToken) - sentNanos;
    }

    long[] gaps() {
        return Arrays.copyOf(gaps, gapCount);
    }

    int chunks() {
        return chunks;
    }

    boolean usageReported() {
        return usageCompletion >= 0;
    }

    int usagePrompt() {
        return usagePrompt;
    }

    int usageCompletion() {
        return usageCompletion;
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
