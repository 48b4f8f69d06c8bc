package dev.flotilla.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * The OpenAI error body: {@code {"error":{"message":..,"type":..,"param":..,"code":..}}}.
 * {@code param} names the offending request field, {@code code} is a stable machine-readable reason.
 */
public record ErrorBody(String message, String type, String param, String code) {
    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String SERVER_ERROR = "server_error";
    public static final String SERVICE_UNAVAILABLE = "service_unavailable_error";
    public static final String RATE_LIMIT = "rate_limit_error";

    private static final JsonFactory JSON = new JsonFactory();

    /** Serialises the body as OpenAI does, with explicit nulls. */
    public String toJson() {
        StringWriter out = new StringWriter(128 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Reads an error body written by us or by another OpenAI-compatible server; null if it is not one. */
    public static ErrorBody fromJson(JsonNode root) {
        JsonNode error = root == null ? null : root.get("error");
        if (error == null || !error.isObject()) {
            return null;
        }
        return new ErrorBody(text(error, "message"), text(error, "type"), text(error, "param"), text(error, "code"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
