package dev.flotilla.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;

/**
 * Writes OpenAI response bodies and stream chunks with Jackson's streaming generator, field for
 * field as OpenAI sends them, so official clients parse them unchanged.
 */
public final class OpenAiJson {
    private static final JsonFactory JSON = new JsonFactory();

    private OpenAiJson() {
    }

    /** A whole non-streamed response. */
    public static String response(Endpoint endpoint, String id, long created, String model, String text,
                                  FinishReason finish, Usage usage) {
        return write(g -> {
            header(g, id, endpoint.object(), created, model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            if (endpoint == Endpoint.CHAT) {
                g.writeObjectFieldStart("message");
                g.writeStringField("role", "assistant");
                g.writeStringField("content", text);
                g.writeEndObject();
            } else {
                g.writeStringField("text", text);
            }
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", finish.wire());
            g.writeEndObject();
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    /**
     * One streamed chunk carrying text (or, for the first chat chunk, the assistant role) and,
     * on the last chunk, the finish reason.
     *
     * @param role   "assistant" on the first chat chunk, else null
     * @param finish null until the last chunk
     */
    public static String chunk(Endpoint endpoint, String id, long created, String model, String role, String text,
                               FinishReason finish, boolean includeUsage) {
        return write(g -> {
            header(g, id, endpoint.chunkObject(), created, model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            if (endpoint == Endpoint.CHAT) {
                g.writeObjectFieldStart("delta");
                if (role != null) {
                    g.writeStringField("role", role);
                }
                if (text != null) {
                    g.writeStringField("content", text);
                }
                g.writeEndObject();
            } else {
                g.writeStringField("text", text == null ? "" : text);
            }
            g.writeNullField("logprobs");
            if (finish == null) {
                g.writeNullField("finish_reason");
            } else {
                g.writeStringField("finish_reason", finish.wire());
            }
            g.writeEndObject();
            g.writeEndArray();
            if (includeUsage) {
                g.writeNullField("usage");
            }
            g.writeEndObject();
        });
    }

    /** The final chunk sent when {@code stream_options.include_usage} is set: no choices, the usage. */
    public static String usageChunk(Endpoint endpoint, String id, long created, String model, Usage usage) {
        return write(g -> {
            header(g, id, endpoint.chunkObject(), created, model);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    /** The {@code /v1/models} list. */
    public static String modelList(Collection<ModelCard> models) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (ModelCard m : models) {
                g.writeStartObject();
                g.writeStringField("id", m.id());
                g.writeStringField("object", "model");
                g.writeNumberField("created", m.created());
                g.writeStringField("owned_by", m.ownedBy());
                if (m.maxModelLen() != null) {
                    g.writeNumberField("max_model_len", m.maxModelLen());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void header(JsonGenerator g, String id, String object, long created, String model) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", object);
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
    }

    private static void usage(JsonGenerator g, Usage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.totalTokens());
        g.writeEndObject();
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
