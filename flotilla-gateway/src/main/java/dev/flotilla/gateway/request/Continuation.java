package dev.flotilla.gateway.request;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.Sse;
import io.vertx.core.buffer.Buffer;

/**
 * Mid-stream continuation of one streamed answer: keeps the bytes the client has received, and when
 * the node fails after some of them, builds the request that makes another node go on from there
 * (completions: the prompt plus the partial text; chat: the messages plus an assistant message
 * holding the partial answer, with vLLM's {@code continue_final_message: true} and
 * {@code add_generation_prompt: false}; {@code max_tokens} less what was generated), then rewrites
 * that node's events so that the client sees one stream: the first answer's {@code id}, no second
 * role chunk, {@code usage} counting every generated token. Only for one choice ({@code n} absent or
 * 1) and a string prompt; a stream longer than {@link #MAX_KEPT_BYTES}, or one that finds no room
 * left in the gateway's {@link KeptBytes}, is not continued. The request path gives the room back
 * when the request ends ({@link #release()}).
 */
final class Continuation {
    static final int MAX_KEPT_BYTES = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeptBytes room;
    private Buffer kept = Buffer.buffer();
    private boolean tooLong;
    // set once resuming
    private String id;
    private long generatedBefore;
    private Sse.Decoder decoder;

    /** @param room the gateway's budget of kept bytes, shared by every stream */
    Continuation(KeptBytes room) {
        this.room = room;
    }

    /** Keeps bytes the client has been sent. */
    void sent(Buffer chunk) {
        if (tooLong) {
            return;
        }
        if (kept.length() + chunk.length() > MAX_KEPT_BYTES || !room.tryTake(chunk.length())) {
            // this stream will not be continued: what it kept is of no use any more
            release();
            return;
        }
        kept.appendBuffer(chunk);
    }

    /**
     * Gives the kept bytes' room back to the gateway (the request has ended, or this stream gave up);
     * from then on nothing is kept and the stream is not continued, so no room can be taken again.
     */
    void release() {
        tooLong = true;
        room.give(kept.length());
        kept = Buffer.buffer();
    }

    boolean resuming() {
        return decoder != null;
    }

    /**
     * The body that continues the answer on another node, or null when it cannot be continued
     * (several choices, a non-string prompt, the answer already finished, no tokens left, too long).
     * Prepares the rewriting of the continuation's events.
     */
    Buffer continuationBody(Endpoint endpoint, Buffer original) {
        if (tooLong) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        String firstId = null;
        long outputEvents = 0;
        long usageCompletion = -1;
        for (String data : Sse.decoder().feed(kept.getBytes())) {
            if (Sse.DONE.equals(data)) {
                return null;
            }
            JsonNode event;
            try {
                event = JSON.readTree(data);
            } catch (JsonProcessingException e) {
                return null;
            }
            if (firstId == null && event.hasNonNull("id")) {
                firstId = event.get("id").asText();
            }
            JsonNode usage = event.get("usage");
            if (usage != null && usage.hasNonNull("completion_tokens")) {
                usageCompletion = usage.get("completion_tokens").asLong();
            }
            JsonNode choices = event.get("choices");
            if (choices == null || choices.isEmpty()) {
                continue;
            }
            if (choices.size() > 1) {
                return null;
            }
            JsonNode choice = choices.get(0);
            if (choice.hasNonNull("finish_reason")) {
                return null;
            }
            JsonNode piece = endpoint == Endpoint.CHAT ? choice.path("delta").get("content") : choice.get("text");
            if (piece != null && piece.isTextual() && !piece.asText().isEmpty()) {
                text.append(piece.asText());
                outputEvents++;
            }
        }
        if (firstId == null || text.isEmpty()) {
            return null;
        }
        long generated = usageCompletion >= 0 ? usageCompletion : outputEvents;
        ObjectNode body;
        try {
            body = (ObjectNode) JSON.readTree(original.getBytes());
        } catch (java.io.IOException | ClassCastException e) {
            return null;
        }
        if (body.hasNonNull("n") && body.get("n").asInt() != 1) {
            return null;
        }
        for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
            if (body.hasNonNull(field)) {
                long left = body.get(field).asLong() - generated;
                if (left <= 0) {
                    return null;
                }
                body.put(field, left);
            }
        }
        if (endpoint == Endpoint.CHAT) {
            ((ArrayNode) body.withArray("messages")).addObject().put("role", "assistant").put("content", text.toString());
            body.put("continue_final_message", true);
            body.put("add_generation_prompt", false);
        } else {
            JsonNode prompt = body.get("prompt");
            if (prompt == null || !prompt.isTextual()) {
                return null;
            }
            body.put("prompt", prompt.asText() + text);
        }
        this.id = firstId;
        this.generatedBefore = generated;
        this.decoder = Sse.decoder();
        try {
            return Buffer.buffer(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Rewrites the continuing node's events for the client: the first answer's id, no role-only
     * chunk, the role left out of deltas, usage with the tokens generated before added (and the
     * partial answer taken out of the prompt count, where the continuing node counted it).
     */
    Buffer rewrite(Buffer chunk) {
        Buffer out = Buffer.buffer();
        for (String data : decoder.feed(chunk.getBytes())) {
            if (Sse.DONE.equals(data)) {
                out.appendString(Sse.done());
                continue;
            }
            ObjectNode event;
            try {
                event = (ObjectNode) JSON.readTree(data);
            } catch (JsonProcessingException | ClassCastException e) {
                continue;
            }
            event.put("id", id);
            JsonNode choices = event.get("choices");
            if (choices != null && choices.size() == 1 && choices.get(0).get("delta") instanceof ObjectNode delta) {
                delta.remove("role");
                boolean empty = delta.isEmpty() || delta.size() == 1 && delta.path("content").asText("").isEmpty()
                        && !delta.path("content").isMissingNode();
                if (empty && !choices.get(0).hasNonNull("finish_reason") && !event.hasNonNull("usage")) {
                    continue;
                }
            }
            if (event.get("usage") instanceof ObjectNode usage && usage.hasNonNull("completion_tokens")) {
                long completion = usage.get("completion_tokens").asLong() + generatedBefore;
                long prompt = Math.max(0, usage.path("prompt_tokens").asLong() - generatedBefore);
                usage.put("completion_tokens", completion);
                usage.put("prompt_tokens", prompt);
                usage.put("total_tokens", prompt + completion);
            }
            out.appendString(Sse.data(event.toString()));
        }
        return out;
    }
}
