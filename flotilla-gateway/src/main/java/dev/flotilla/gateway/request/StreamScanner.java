package dev.flotilla.gateway.request;

import io.vertx.core.buffer.Buffer;

/**
 * Reads a node's answer byte by byte as it passes through the gateway, without decoding it: counts
 * the SSE events that carry generated output, for time to first token and inter-token latency, and
 * picks up the token counts of the {@code usage} object. Decoding each event into a JSON tree
 * cost the streaming path about a tenth of its throughput; this keeps a few fields of state per
 * stream, allocates nothing per chunk, and works on chunks split anywhere (mid-key, mid-escape,
 * mid-number), because it is a state machine over single bytes.
 *
 * <p>An event carries output when it has a non-empty string under {@code "content"}, {@code "text"},
 * {@code "reasoning_content"} or {@code "reasoning"}, or a non-empty {@code "tool_calls"} array.
 * Role-only first chunks, empty content deltas, finish chunks and usage chunks do not. Keys are told
 * from string contents by JSON's own rule: inside a string every quote is escaped, so only a quote
 * outside strings (tracked here, escapes included) opens a key. Usage is the {@code prompt_tokens}
 * and {@code completion_tokens} directly inside the last complete {@code "usage":{...}} object seen
 * (OpenAI and vLLM send it in the final chunk, vLLM's continuous usage in every chunk, so the last
 * one is cumulative); {@code "usage":null} is ignored.
 *
 * <p>In SSE mode an event ends at a blank line (LF or CRLF line ends); in body mode (a non-streamed
 * JSON answer) line ends are whitespace. Not thread-safe: one scanner per answer, on its event loop.
 */
final class StreamScanner {
    private static final int NONE = 0;
    private static final int OUTPUT = 1;
    private static final int TOOL_CALLS = 2;
    private static final int USAGE = 3;
    private static final int PROMPT_TOKENS = 4;
    private static final int COMPLETION_TOKENS = 5;

    private static final byte[] K_TEXT = ascii("text");
    private static final byte[] K_USAGE = ascii("usage");
    private static final byte[] K_CONTENT = ascii("content");
    private static final byte[] K_REASONING = ascii("reasoning");
    private static final byte[] K_TOOL_CALLS = ascii("tool_calls");
    private static final byte[] K_PROMPT_TOKENS = ascii("prompt_tokens");
    private static final byte[] K_REASONING_CONTENT = ascii("reasoning_content");
    private static final byte[] K_COMPLETION_TOKENS = ascii("completion_tokens");
    /** The longest key of interest; longer strings are not compared. */
    private static final int MAX_KEY = 17;

    private final boolean sse;
    private final byte[] key = new byte[MAX_KEY];

    // the string being read
    private boolean inString;
    private boolean escaped;
    private boolean keyString;
    private int stringLength;
    /** The string is the value of an output key and nothing of it has been seen yet. */
    private boolean outputString;

    // between tokens
    /** A string that may be a key just closed; when a colon follows, this is which key it is. */
    private int closedKey = NONE;
    private boolean afterString;
    private boolean expectValue;
    private int pendingKey = NONE;
    private boolean toolCallsFirst;
    private int numberFor = NONE;
    private long number;
    private int depth;
    /** The depth of the usage object's members while inside it, else -1. */
    private int usageDepth = -1;
    private long usagePrompt = -1;
    private long usageCompletion = -1;

    // per event and per answer
    private boolean eventOutput;
    private boolean lineEnd;
    private long outputEvents;
    private long promptTokens = -1;
    private long completionTokens = -1;

    private StreamScanner(boolean sse) {
        this.sse = sse;
    }

    /** A scanner for a {@code text/event-stream} answer. */
    static StreamScanner forEvents() {
        return new StreamScanner(true);
    }

    /** A scanner for a non-streamed JSON answer (usage only). */
    static StreamScanner forBody() {
        return new StreamScanner(false);
    }

    /** Reads the next chunk; returns how many events carrying output it completed. */
    int feed(Buffer chunk) {
        int events = 0;
        for (int i = 0, n = chunk.length(); i < n; i++) {
            events += step(chunk.getByte(i));
        }
        return events;
    }

    /** The answer ended: an event not closed by a blank line counts now; returns 1 if it carried output. */
    int finish() {
        return sse ? endEvent() : 0;
    }

    /** Events that carried output so far. */
    long outputEvents() {
        return outputEvents;
    }

    /** {@code prompt_tokens} of the last usage object, or -1 when none was seen. */
    long promptTokens() {
        return promptTokens;
    }

    /** {@code completion_tokens} of the last usage object, or -1 when none was seen. */
    long completionTokens() {
        return completionTokens;
    }

    private int step(byte b) {
        if (sse) {
            if (b == '\n') {
                if (lineEnd) {
                    lineEnd = false;
                    return endEvent();
                }
                lineEnd = true;
                return 0;
            }
            if (b == '\r') {
                return 0;
            }
            lineEnd = false;
        }
        if (inString) {
            stringByte(b);
            return 0;
        }
        if (numberFor != NONE) {
            if (b >= '0' && b <= '9') {
                number = number * 10 + (b - '0');
                return 0;
            }
            if (numberFor == PROMPT_TOKENS) {
                usagePrompt = number;
            } else {
                usageCompletion = number;
            }
            numberFor = NONE;
        }
        if (b == ' ' || b == '\t' || b == '\n' || b == '\r') {
            return 0;
        }
        if (afterString) {
            afterString = false;
            if (b == ':') {
                pendingKey = closedKey;
                expectValue = true;
                return 0;
            }
        }
        if (toolCallsFirst) {
            toolCallsFirst = false;
            if (b != ']') {
                eventOutput = true;
            }
        }
        if (expectValue) {
            expectValue = false;
            int k = pendingKey;
            pendingKey = NONE;
            if (b == '"') {
                openString(false);
                outputString = k == OUTPUT;
                return 0;
            }
            if (b >= '0' && b <= '9' && (k == PROMPT_TOKENS || k == COMPLETION_TOKENS)) {
                numberFor = k;
                number = b - '0';
                return 0;
            }
            if (b == '[' && k == TOOL_CALLS) {
                toolCallsFirst = true;
            } else if (b == '{' && k == USAGE) {
                usageDepth = depth + 1;
                usagePrompt = -1;
                usageCompletion = -1;
            }
        }
        switch (b) {
            case '"' -> openString(true);
            case '{', '[' -> depth++;
            case '}', ']' -> {
                depth--;
                if (usageDepth >= 0 && usageDepth > depth) {
                    // the usage object closed complete: its figures are the latest
                    usageDepth = -1;
                    if (usagePrompt >= 0) {
                        promptTokens = usagePrompt;
                    }
                    if (usageCompletion >= 0) {
                        completionTokens = usageCompletion;
                    }
                }
            }
            default -> { }
        }
        return 0;
    }

    private void openString(boolean mayBeKey) {
        inString = true;
        escaped = false;
        keyString = mayBeKey;
        stringLength = 0;
        outputString = false;
    }

    private void stringByte(byte b) {
        if (outputString) {
            if (b == '"') {
                inString = false; // an empty string: no output
                outputString = false;
                return;
            }
            eventOutput = true;
            outputString = false;
        }
        if (escaped) {
            escaped = false;
        } else if (b == '\\') {
            escaped = true;
        } else if (b == '"') {
            inString = false;
            if (keyString) {
                // a colon next makes it a key; then the value's strings are never keys (not recorded)
                closedKey = match();
                afterString = true;
            }
            return;
        }
        if (keyString) {
            if (stringLength < MAX_KEY) {
                key[stringLength] = b;
            }
            stringLength++;
        }
    }

    /** Which key of interest the string just closed is, given where it stands. */
    private int match() {
        boolean inUsage = usageDepth == depth;
        return switch (stringLength) {
            case 4 -> !inUsage && is(K_TEXT) ? OUTPUT : NONE;
            case 5 -> usageDepth < 0 && is(K_USAGE) ? USAGE : NONE;
            case 7 -> !inUsage && is(K_CONTENT) ? OUTPUT : NONE;
            case 9 -> !inUsage && is(K_REASONING) ? OUTPUT : NONE;
            case 10 -> !inUsage && is(K_TOOL_CALLS) ? TOOL_CALLS : NONE;
            case 13 -> inUsage && is(K_PROMPT_TOKENS) ? PROMPT_TOKENS : NONE;
            case 17 -> inUsage ? (is(K_COMPLETION_TOKENS) ? COMPLETION_TOKENS : NONE)
                    : is(K_REASONING_CONTENT) ? OUTPUT : NONE;
            default -> NONE;
        };
    }

    private boolean is(byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (key[i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private int endEvent() {
        int out = eventOutput ? 1 : 0;
        outputEvents += out;
        eventOutput = false;
        // an event is self-contained JSON: whatever a broken one left open ends with it
        inString = false;
        escaped = false;
        outputString = false;
        afterString = false;
        expectValue = false;
        pendingKey = NONE;
        toolCallsFirst = false;
        numberFor = NONE;
        depth = 0;
        usageDepth = -1;
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
