package dev.flotilla.gateway.request;

import dev.flotilla.protocol.Sse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Finds the first SSE event of a streamed answer that carries generated output (a non-empty
 * {@code text}, or a delta with anything besides the role), so that the gateway can time a node's
 * time to first token. Nodes send the response head, and for chat a role-only chunk, before the
 * prompt is processed, so the first byte says nothing about how fast the node is. Only the events up
 * to the first token are decoded; after that {@link #feed} is a field read.
 */
final class FirstTokenDetector {
    private Sse.Decoder decoder = Sse.decoder();

    /** Feeds the next chunk of the body; true once (and from then on) a token has been seen. */
    boolean feed(byte[] chunk) {
        if (decoder == null) {
            return true;
        }
        for (String data : decoder.feed(chunk)) {
            if (carriesToken(data)) {
                decoder = null;
                return true;
            }
        }
        return false;
    }

    static boolean carriesToken(String data) {
        if (Sse.DONE.equals(data)) {
            return false;
        }
        JsonObject event;
        try {
            event = new JsonObject(data);
        } catch (DecodeException | ClassCastException e) {
            return false;
        }
        JsonArray choices = event.getJsonArray("choices");
        if (choices == null) {
            return false;
        }
        for (Object c : choices) {
            if (!(c instanceof JsonObject choice)) {
                continue;
            }
            if (nonEmpty(choice.getValue("text"))) {
                return true;
            }
            if (choice.getValue("delta") instanceof JsonObject delta) {
                for (String field : delta.fieldNames()) {
                    if (!"role".equals(field) && nonEmpty(delta.getValue(field))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean nonEmpty(Object v) {
        return v != null && !(v instanceof String s && s.isEmpty());
    }
}
