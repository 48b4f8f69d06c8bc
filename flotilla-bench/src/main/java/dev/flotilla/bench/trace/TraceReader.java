package dev.flotilla.bench.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads JSONL traces (one {@link TraceRecord} per line, blank lines ignored, unknown fields
 * ignored so that later versions can add some). Checks every line and that arrivals never go back in
 * time and ids are unique, and fails with the file, line, field and value of the first problem.
 */
public final class TraceReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceReader() {
    }

    /** Every record of a trace file, in file (and so arrival) order. */
    public static List<TraceRecord> read(Path file) {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Every record read from {@code in}; {@code source} names it in error messages. */
    public static List<TraceRecord> read(BufferedReader in, String source) throws IOException {
        List<TraceRecord> records = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        double last = 0;
        int lineNumber = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String where = source + ":" + lineNumber;
            TraceRecord r = parseLine(line, where, "line-" + lineNumber);
            if (r.arrival() < last) {
                throw new TraceFormatException(where + ": arrival: " + r.arrival()
                        + " (expected >= " + last + ", the previous line's: a trace is sorted by arrival)");
            }
            if (!ids.add(r.id())) {
                throw new TraceFormatException(where + ": id: '" + r.id() + "' (expected unique, already used)");
            }
            last = r.arrival();
            records.add(r);
        }
        return records;
    }

    /**
     * One record from one JSON line.
     *
     * @param where     names the line in error messages (e.g. {@code trace.jsonl:12})
     * @param defaultId the id when the line has none
     */
    public static TraceRecord parseLine(String line, String where, String defaultId) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new TraceFormatException(where + ": not JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new TraceFormatException(where + ": " + abbreviate(line) + " (expected a JSON object)");
        }
        try {
            String id = text(node, "id", defaultId, where);
            double arrival = number(node, "arrival", where);
            String tenant = text(node, "tenant", TraceRecord.DEFAULT_TENANT, where);
            int priority = integer(node, "priority", 0, where);
            String session = text(node, "session", null, where);
            int turn = integer(node, "turn", 1, where);
            String promptText = text(node, "prompt", null, where);
            boolean hasLength = node.has("prompt_tokens");
            TraceRecord.Prompt prompt;
            if (promptText != null && hasLength) {
                throw new TraceFormatException(where + ": prompt and prompt_tokens both given (expected one of them)");
            } else if (promptText != null) {
                if (node.has("prefix_group") || node.has("prefix_tokens")) {
                    throw new TraceFormatException(where + ": prefix_group/prefix_tokens with a text prompt "
                            + "(expected them only with prompt_tokens)");
                }
                prompt = new TraceRecord.Text(promptText);
            } else if (hasLength) {
                prompt = new TraceRecord.Synthetic(integer(node, "prompt_tokens", 0, where),
                        text(node, "prefix_group", null, where), integer(node, "prefix_tokens", 0, where));
            } else {
                throw new TraceFormatException(where + ": no prompt (expected \"prompt\" text or \"prompt_tokens\")");
            }
            if (!node.has("output_tokens")) {
                throw new TraceFormatException(where + ": output_tokens missing (expected the tokens to generate, >= 1)");
            }
            return new TraceRecord(id, arrival, tenant, priority, session, turn, prompt,
                    integer(node, "output_tokens", 0, where));
        } catch (TraceFormatException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new TraceFormatException(where + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field, String fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isTextual()) {
            throw new TraceFormatException(where + ": " + field + ": " + v + " (expected a string)");
        }
        return v.textValue();
    }

    private static double number(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new TraceFormatException(where + ": " + field + ": " + (v == null ? "missing" : v.toString())
                    + " (expected seconds from the start, a number >= 0)");
        }
        return v.doubleValue();
    }

    private static int integer(JsonNode node, String field, int fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new TraceFormatException(where + ": " + field + ": " + v + " (expected an integer)");
        }
        return v.intValue();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
