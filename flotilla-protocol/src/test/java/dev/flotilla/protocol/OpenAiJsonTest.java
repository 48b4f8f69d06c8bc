package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void response_chat_hasOpenAiShape() throws Exception {
        JsonNode n = mapper.readTree(OpenAiJson.response(Endpoint.CHAT, "chatcmpl-1", 5, "m", "hi \"there\"",
                FinishReason.LENGTH, new Usage(3, 4)));
        assertThat(n.path("object").asText()).isEqualTo("chat.completion");
        assertThat(n.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(n.at("/choices/0/message/content").asText()).isEqualTo("hi \"there\"");
        assertThat(n.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(n.at("/usage/total_tokens").asInt()).isEqualTo(7);
    }

    @Test
    void chunk_completion_carriesTextAndNullFinish() throws Exception {
        JsonNode n = mapper.readTree(OpenAiJson.chunk(Endpoint.COMPLETIONS, "cmpl-1", 5, "m", null, " tok", null, true));
        assertThat(n.path("object").asText()).isEqualTo("text_completion");
        assertThat(n.at("/choices/0/text").asText()).isEqualTo(" tok");
        assertThat(n.at("/choices/0/finish_reason").isNull()).isTrue();
        assertThat(n.path("usage").isNull()).isTrue();
    }

    @Test
    void modelList_withContextLength_writesMaxModelLen() throws Exception {
        JsonNode n = mapper.readTree(OpenAiJson.modelList(List.of(
                new ModelCard("big", 5, "flotilla", 4096), new ModelCard("plain", 6, "flotilla"))));
        assertThat(n.at("/data/0/id").asText()).isEqualTo("big");
        assertThat(n.at("/data/0/max_model_len").asInt()).isEqualTo(4096);
        assertThat(n.at("/data/1/owned_by").asText()).isEqualTo("flotilla");
        assertThat(n.at("/data/1").has("max_model_len")).isFalse();
    }

    @Test
    void modelCard_nonPositiveContext_isRejectedNamingTheField() {
        assertThatThrownBy(() -> new ModelCard("m", 1, "o", 0))
                .hasMessageContaining("maxModelLen: 0");
    }

    @Test
    void usageChunk_hasNoChoices() throws Exception {
        JsonNode n = mapper.readTree(OpenAiJson.usageChunk(Endpoint.CHAT, "c", 5, "m", new Usage(1, 2)));
        assertThat(n.path("choices").size()).isZero();
        assertThat(n.at("/usage/completion_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void errorBody_roundTrips() throws Exception {
        ErrorBody body = new ErrorBody("bad", ErrorBody.INVALID_REQUEST, "max_tokens", "integer_below_min_value");
        assertThat(ErrorBody.fromJson(mapper.readTree(body.toJson()))).isEqualTo(body);
        assertThat(mapper.readTree(new ErrorBody("x", "t", null, null).toJson()).at("/error/param").isNull()).isTrue();
    }
}
