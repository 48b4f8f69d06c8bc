package dev.flotilla.bench.trace;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes traces as JSONL, one record per line, fields always in the same order and arrival times
 * rounded to the microsecond, so the same records give the same bytes. Optional fields are left
 * out when they have their default (no session, no prefix group).
 */
public final class TraceWriter implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;

    private TraceWriter(Writer out) {
        this.out = out;
    }

    /** A writer appending lines to {@code out}; closing it closes {@code out}. */
    public static TraceWriter to(Writer out) {
        return new TraceWriter(out);
    }

    /** Writes all records to a file (created or replaced). */
    public static void write(Path file, List<TraceRecord> records) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             TraceWriter writer = to(w)) {
            for (TraceRecord r : records) {
                writer.write(r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("trace " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends one line. */
    public void write(TraceRecord record) throws IOException {
        out.write(toJson(record));
        out.write('\n');
    }

    /** The JSON object of one record, without the line end. */
    public static String toJson(TraceRecord r) {
        StringWriter s = new StringWriter(160);
        try (JsonGenerator g = JSON.createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("id", r.id());
            g.writeFieldName("arrival");
            g.writeNumber(seconds(r.arrival()));
            g.writeStringField("tenant", r.tenant());
            g.writeNumberField("priority", r.priority());
            if (r.session() != null) {
                g.writeStringField("session", r.session());
                g.writeNumberField("turn", r.turn());
            }
            switch (r.prompt()) {
                case TraceRecord.Text t -> g.writeStringField("prompt", t.text());
                case TraceRecord.Synthetic p -> {
                    g.writeNumberField("prompt_tokens", p.tokens());
                    if (p.prefixGroup() != null) {
                        g.writeStringField("prefix_group", p.prefixGroup());
                        g.writeNumberField("prefix_tokens", p.prefixTokens());
                    }
                }
            }
            g.writeNumberField("output_tokens", r.outputTokens());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    /** Seconds rounded to microseconds, plain decimal notation without trailing zeros. */
    static String seconds(double s) {
        return BigDecimal.valueOf(Math.round(s * 1e6), 6).stripTrailingZeros().toPlainString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
