package dev.flotilla.gateway.request;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;

/**
 * Checks that a node's successful non-streamed answer is one JSON object, as every OpenAI response
 * body is. Read with Jackson's streaming parser, token by token without building a tree, so the check
 * costs one pass over bytes the gateway holds anyway. A body that fails it is a bad answer the
 * request can be retried from, since the client has received nothing of it.
 */
final class JsonAnswer {
    /** Immutable once built; shared by every event loop. */
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JsonAnswer() {
    }

    /** What is wrong with the body, or null when it is a single JSON object. */
    static String problem(Buffer body) {
        try (JsonParser p = JSON.createParser(body.getBytes())) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return "a 200 answer of " + body.length() + " bytes that is not a JSON object" + (first == null ? ""
                        : first == JsonToken.START_ARRAY ? " (an array)" : " (a " + first.name().toLowerCase(java.util.Locale.ROOT)
                        .replace('_', ' ') + ")");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                return "a 200 answer with data after its JSON object";
            }
            return null;
        } catch (JsonParseException e) {
            return "a 200 answer of " + body.length() + " bytes that is not valid JSON (" + e.getOriginalMessage() + ")";
        } catch (IOException e) {
            return "a 200 answer that could not be read (" + e.getMessage() + ")";
        }
    }
}
