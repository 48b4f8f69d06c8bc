package dev.flotilla.bench.sim;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Writes a simulation's files into a directory, named as {@code flotilla bench} names its own:
 * {@code result.json} (the report, {@link SimReport#toJson()}) and {@code requests.jsonl} (one line
 * per request, written as requests finish, so memory stays flat however long the run).
 */
public final class SimReportFiles {
    public static final String RESULT_JSON = "result.json";
    public static final String REQUESTS_JSONL = "requests.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SimReportFiles() {
    }

    /** Writes {@code result.json} into {@code dir} (created if missing) and returns its path. */
    public static Path writeResult(Path dir, SimReport report) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(RESULT_JSON);
            JSON.writeValue(file.toFile(), report.toJson());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + dir.resolve(RESULT_JSON) + ": " + e.getMessage(), e);
        }
    }

    /** A sink for {@link FleetSimulator.Builder#results} writing {@code requests.jsonl} into {@code dir}. */
    public static RequestLog requestLog(Path dir) {
        try {
            Files.createDirectories(dir);
            return new RequestLog(dir.resolve(REQUESTS_JSONL));
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + dir.resolve(REQUESTS_JSONL) + ": " + e.getMessage(), e);
        }
    }

    /**
     * One JSON line per request: {@code id}, {@code tenant}, {@code sent_s}, {@code node}, then
     * {@code ttft_ms}, {@code tpot_ms}, {@code e2el_ms}, {@code prompt_tokens}, {@code output_tokens}
     * for a completed request, or {@code error}, {@code http_status}, {@code detail} for a rejected one.
     */
    public static final class RequestLog implements Consumer<SimResult>, AutoCloseable {
        private final Path file;
        private final OutputStream out;
        private final JsonGenerator json;
        private long lines;

        private RequestLog(Path file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            this.json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
            json.setPrettyPrinter(new MinimalPrettyPrinter("\n"));
        }

        public Path file() {
            return file;
        }

        @Override
        public void accept(SimResult result) {
            try {
                json.writeStartObject();
                json.writeStringField("id", result.request().id());
                json.writeStringField("tenant", result.request().tenant());
                json.writeNumberField("sent_s", result.request().arrivalNanos() / 1e9);
                switch (result) {
                    case SimResult.Completed c -> {
                        json.writeStringField("node", c.node());
                        json.writeNumberField("ttft_ms", c.ttftNanos() / 1e6);
                        json.writeNumberField("tpot_ms", c.tpotNanos() / 1e6);
                        json.writeNumberField("e2el_ms", c.e2elNanos() / 1e6);
                        json.writeNumberField("prompt_tokens", c.promptTokens());
                        json.writeNumberField("output_tokens", c.outputTokens());
                    }
                    case SimResult.Rejected r -> {
                        json.writeStringField("node", r.node());
                        json.writeStringField("error", r.reason().label());
                        json.writeNumberField("http_status", r.reason().httpStatus());
                        json.writeStringField("detail", r.detail());
                    }
                }
                json.writeEndObject();
                lines++;
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                if (lines > 0) {
                    json.writeRaw('\n');
                }
                json.close();
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
            }
        }
    }
}
