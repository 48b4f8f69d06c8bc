package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InferenceRequestsTest {

    private static InferenceRequest chat(String json) {
        return InferenceRequests.parse(Endpoint.CHAT, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parse_fullChatRequest_readsEveryField() {
        InferenceRequest r = chat("""
                {"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":7,
                 "temperature":0,"top_p":0.5,"seed":42,"stop":["\\n","END"],"n":1,"user":"alice","unknown":{"a":[1,2]},
                 "messages":[{"role":"system","content":"be brief"},
                             {"role":"user","content":[{"type":"text","text":"Once "},{"type":"text","text":"upon"}]}]}
                """);
        assertThat(r.model()).isEqualTo("m");
        assertThat(r.stream()).isTrue();
        assertThat(r.includeUsage()).isTrue();
        assertThat(r.maxTokens()).isEqualTo(7);
        assertThat(r.temperature()).isZero();
        assertThat(r.topP()).isEqualTo(0.5);
        assertThat(r.seed()).isEqualTo(42L);
        assertThat(r.stop()).containsExactly("\n", "END");
        assertThat(r.user()).isEqualTo("alice");
        assertThat(r.messages()).containsExactly(new ChatMessage("system", "be brief"),
                new ChatMessage("user", "Once upon"));
    }

    @Test
    void parse_includeUsageWithoutStream_isIgnored() {
        InferenceRequest r = chat("""
                {"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""");
        assertThat(r.includeUsage()).isFalse();
        assertThat(r.maxTokens()).isNull();
        assertThat(r.user()).isNull();
        assertThat(r.temperature()).isEqualTo(InferenceRequest.DEFAULT_TEMPERATURE);
    }

    @Test
    void parse_completionWithSinglePromptArray_readsPrompt() {
        InferenceRequest r = InferenceRequests.parse(Endpoint.COMPLETIONS,
                "{\"model\":\"m\",\"prompt\":[\"Once\"],\"max_completion_tokens\":3}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.prompt()).isEqualTo("Once");
        assertThat(r.messages()).isNull();
        assertThat(r.maxTokens()).isEqualTo(3);
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("malformed JSON", Endpoint.CHAT, "{\"model\":", null, "invalid_json"),
                bad("not an object", Endpoint.CHAT, "[1,2]", null, "invalid_json"),
                bad("trailing garbage", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]} x", null, "invalid_json"),
                bad("empty body", Endpoint.CHAT, "", null, "invalid_json"),
                bad("missing model", Endpoint.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model", "missing_required_parameter"),
                bad("missing messages", Endpoint.CHAT, "{\"model\":\"m\"}", "messages", "missing_required_parameter"),
                bad("empty messages", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[]}", "messages", "empty_array"),
                bad("messages not array", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":\"hi\"}", "messages", "invalid_type"),
                bad("bad role", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "messages[0].role", "invalid_value"),
                bad("missing content", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content", "missing_required_parameter"),
                bad("image part", Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", "messages[0].content[0].type", "unsupported_value"),
                bad("negative max_tokens", Endpoint.CHAT, "{\"model\":\"m\",\"max_tokens\":-5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens", "integer_below_min_value"),
                bad("string max_tokens", Endpoint.CHAT, "{\"model\":\"m\",\"max_tokens\":\"5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens", "invalid_type"),
                bad("temperature too high", Endpoint.CHAT, "{\"model\":\"m\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "temperature", "invalid_value"),
                bad("n of 2", Endpoint.CHAT, "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "n", "unsupported_value"),
                bad("five stops", Endpoint.CHAT, "{\"model\":\"m\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stop", "array_above_max_length"),
                bad("stream not boolean", Endpoint.CHAT, "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream", "invalid_type"),
                bad("user not string", Endpoint.CHAT, "{\"model\":\"m\",\"user\":7,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "user", "invalid_type"),
                bad("missing prompt", Endpoint.COMPLETIONS, "{\"model\":\"m\"}", "prompt", "missing_required_parameter"),
                bad("token prompt", Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[1,2]}", "prompt", "unsupported_value"),
                bad("two prompts", Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[\"a\",\"b\"]}", "prompt", "unsupported_value"));
    }

    private static Arguments bad(String name, Endpoint endpoint, String body, String param, String code) {
        return Arguments.of(Named.of(name, body), endpoint, param, code);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void parse_invalidRequest_is400NamingTheField(String body, Endpoint endpoint, String param, String code) {
        assertThatThrownBy(() -> InferenceRequests.parse(endpoint, body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.body().type()).isEqualTo(ErrorBody.INVALID_REQUEST);
                    assertThat(e.body().param()).isEqualTo(param);
                    assertThat(e.body().code()).isEqualTo(code);
                    if (param != null) {
                        assertThat(e.getMessage()).contains(param);
                    }
                });
    }

    @Test
    void parse_negativeMaxTokens_messageGivesTheValue() {
        assertThatThrownBy(() -> chat("{\"model\":\"m\",\"max_tokens\":-5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
                .hasMessageContaining("got -5");
    }
}
