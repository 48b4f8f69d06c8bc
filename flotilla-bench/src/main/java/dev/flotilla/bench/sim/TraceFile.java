package dev.flotilla.bench.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Streams a JSONL workload trace as {@link SimRequest}s, one line at a time, so that an hour-long
 * trace is never held in memory. The line format is the bench trace's: {@code id}, {@code arrival}
 * (seconds from the start), {@code tenant}, {@code priority}, {@code session}, {@code turn}, and
 * either {@code prompt} (text) or {@code prompt_tokens} with an optional {@code prefix_group} and
 * {@code prefix_tokens}, and {@code output_tokens} (the request's {@code max_tokens}); unknown
 * fields are ignored, blank lines skipped. A problem fails with the file, line, field and value.
 */
public final class TraceFile implements Iterator<SimRequest>, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader in;
    private final String source;
    private final Set<String> ids = new HashSet<>();
    private SimRequest next;
    private long lastArrival;
    private int lineNumber;

    private TraceFile(BufferedReader in, String source) {
        this.in = in;
        this.source = source;
        advance();
    }

    /** Opens a trace file; close it when done (it closes itself at its end). */
    public static TraceFile open(Path file) {
        try {
            return new TraceFile(Files.newBufferedReader(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads from {@code in}; {@code source} names it in error messages. */
    public static TraceFile of(BufferedReader in, String source) {
        return new TraceFile(in, source);
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    @Override
    public SimRequest next() {
        if (next == null) {
            throw new NoSuchElementException("trace " + source + ": no line after line " + lineNumber);
        }
        SimRequest r = next;
        advance();
        return r;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException("trace " + source + ": " + e.getMessage(), e);
        }
    }

    private void advance() {
        next = null;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    next = parse(line, source + ":" + lineNumber);
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trace " + source + ":" + lineNumber + ": " + e.getMessage(), e);
        }
        close();
    }

    private SimRequest parse(String line, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object per line");
        }
        String id = text(node, "id", "line-" + lineNumber, where);
        JsonNode arrival = node.get("arrival");
        if (arrival == null || !arrival.isNumber() || !(arrival.doubleValue() >= 0)
                || Double.isInfinite(arrival.doubleValue())) {
            throw new IllegalArgumentException(where + ": arrival: " + (arrival == null ? "missing" : arrival)
                    + " (expected seconds from the start, a number >= 0)");
        }
        long arrivalNanos = Math.round(arrival.doubleValue() * 1e9);
        if (arrivalNanos < lastArrival) {
            throw new IllegalArgumentException(where + ": arrival: " + arrival
                    + " (expected >= the previous line's: a trace is sorted by arrival)");
        }
        if (!ids.add(id)) {
            throw new IllegalArgumentException(where + ": id: '" + id + "' (expected unique, already used)");
        }
        lastArrival = arrivalNanos;
        String promptText = text(node, "prompt", null, where);
        SimPrompt prompt;
        try {
            if (promptText != null && node.has("prompt_tokens")) {
                throw new IllegalArgumentException("prompt and prompt_tokens both given (expected one of them)");
            } else if (promptText != null) {
                prompt = new SimPrompt.Text(promptText);
            } else if (node.has("prompt_tokens")) {
                prompt = new SimPrompt.Synthetic(integer(node, "prompt_tokens", 0, where),
                        text(node, "prefix_group", null, where), integer(node, "prefix_tokens", 0, where));
            } else {
                throw new IllegalArgumentException("no prompt (expected \"prompt\" text or \"prompt_tokens\")");
            }
            if (!node.has("output_tokens")) {
                throw new IllegalArgumentException("output_tokens missing (expected the tokens to generate, >= 1)");
            }
            return new SimRequest(id, arrivalNanos, text(node, "tenant", SimRequest.DEFAULT_TENANT, where),
                    integer(node, "priority", 0, where), text(node, "session", null, where), prompt,
                    integer(node, "output_tokens", 0, where));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(where) ? e.getMessage()
                    : where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + ": " + field + ": " + v + " (expected a string)");
        }
        return v.textValue();
    }

    private static int integer(JsonNode node, String field, int fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": " + field + ": " + v + " (expected an integer)");
        }
        return v.intValue();
    }
}
