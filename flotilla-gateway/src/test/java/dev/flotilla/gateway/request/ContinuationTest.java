package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.Sse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ContinuationTest {
    private static final String CHAT = "{\"model\":\"m\",\"stream\":true,\"max_tokens\":10,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String ROLE = Sse.data("{\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},"
            + "\"finish_reason\":null}]}");

    private static String content(String id, String text) {
        return Sse.data("{\"id\":\"" + id + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
                + "\"},\"finish_reason\":null}]}");
    }

    private static Continuation sent(String... events) {
        Continuation c = new Continuation(new KeptBytes(Continuation.MAX_KEPT_BYTES));
        for (String e : events) {
            c.sent(Buffer.buffer(e));
        }
        return c;
    }

    static Stream<Arguments> notContinued() {
        return Stream.of(
                Arguments.of(Named.of("nothing with output yet", sent(ROLE)), CHAT),
                Arguments.of(Named.of("already finished", sent(ROLE, content("x1", "a"),
                        Sse.data("{\"id\":\"x1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"))), CHAT),
                Arguments.of(Named.of("done seen", sent(ROLE, content("x1", "a"), Sse.done())), CHAT),
                Arguments.of(Named.of("no tokens left", sent(ROLE, content("x1", "a"), content("x1", "b"))),
                        CHAT.replace("\"max_tokens\":10", "\"max_tokens\":2")),
                Arguments.of(Named.of("several choices", sent(ROLE, content("x1", "a"))),
                        CHAT.replace("\"max_tokens\":10", "\"max_tokens\":10,\"n\":2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notContinued")
    void continuationBody_answerThatCannotGoOn_isNull(Continuation c, String body) {
        assertThat(c.continuationBody(Endpoint.CHAT, Buffer.buffer(body))).isNull();
    }

    @Test
    void keptBytes_sharedLimit_aStreamWithoutRoomIsNotContinued_andRoomComesBackOnRelease() {
        String first = content("x1", "Once ");
        KeptBytes room = new KeptBytes(ROLE.length() + first.length() + 10);
        Continuation a = new Continuation(room);
        a.sent(Buffer.buffer(ROLE));
        a.sent(Buffer.buffer(first));
        assertThat(room.used()).isEqualTo(ROLE.length() + first.length());

        Continuation b = new Continuation(room);
        b.sent(Buffer.buffer(ROLE));
        assertThat(b.continuationBody(Endpoint.CHAT, Buffer.buffer(CHAT))).as("no room: not continued").isNull();
        assertThat(room.used()).as("b took nothing").isEqualTo(ROLE.length() + first.length());
        assertThat(a.continuationBody(Endpoint.CHAT, Buffer.buffer(CHAT))).as("a kept all it was sent").isNotNull();

        a.release();
        assertThat(room.used()).isZero();
        a.sent(Buffer.buffer(content("x1", "upon")));
        assertThat(room.used()).as("released: keeps nothing more").isZero();
        Continuation c = new Continuation(room);
        c.sent(Buffer.buffer(ROLE));
        assertThat(room.used()).as("the room is free for the next stream").isEqualTo(ROLE.length());
    }

    @Test
    void keptBytes_streamThatGivesUp_returnsWhatItTook() {
        KeptBytes room = new KeptBytes(ROLE.length() + 5);
        Continuation a = new Continuation(room);
        a.sent(Buffer.buffer(ROLE));
        a.sent(Buffer.buffer(content("x1", "too much for the room")));
        assertThat(room.used()).isZero();
        assertThat(a.continuationBody(Endpoint.CHAT, Buffer.buffer(CHAT))).isNull();
    }

    @Test
    void continuationBody_chat_appendsAssistantMessageAndLowersMaxTokens() {
        Continuation c = sent(ROLE, content("x1", "Once "), content("x1", "upon"));
        JsonObject body = new JsonObject(c.continuationBody(Endpoint.CHAT, Buffer.buffer(CHAT)));
        assertThat(body.getJsonArray("messages").getJsonObject(1).getMap())
                .containsEntry("role", "assistant").containsEntry("content", "Once upon");
        assertThat(body.getInteger("max_tokens")).isEqualTo(8);
        assertThat(body.getBoolean("continue_final_message")).isTrue();
        assertThat(body.getBoolean("add_generation_prompt")).isFalse();
    }

    @Test
    void rewrite_continuingNodesEvents_keepFirstIdDropRoleChunkAndSumUsage() {
        Continuation c = sent(ROLE, content("x1", "Once "), content("x1", "upon"));
        c.continuationBody(Endpoint.CHAT, Buffer.buffer(CHAT));
        String out = c.rewrite(Buffer.buffer(Sse.data("{\"id\":\"y9\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}")
                + content("y9", " a time") + Sse.data("{\"id\":\"y9\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,"
                + "\"completion_tokens\":3,\"total_tokens\":10}}") + Sse.done())).toString();
        assertThat(out).doesNotContain("y9", "role");
        assertThat(out).contains("\"id\":\"x1\"", "\" a time\"", "\"completion_tokens\":5", "\"prompt_tokens\":5",
                "\"total_tokens\":10");
        assertThat(out).endsWith(Sse.done());
    }

    @Test
    void continuationBody_completion_appendsTextToPrompt() {
        Continuation c = sent(Sse.data("{\"id\":\"c1\",\"choices\":[{\"index\":0,\"text\":\"upon\",\"finish_reason\":null}]}"));
        JsonObject body = new JsonObject(c.continuationBody(Endpoint.COMPLETIONS,
                Buffer.buffer("{\"model\":\"m\",\"prompt\":\"Once \",\"stream\":true}")));
        assertThat(body.getString("prompt")).isEqualTo("Once upon");
        assertThat(body.containsKey("max_tokens")).isFalse();
    }
}
