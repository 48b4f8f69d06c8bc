package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FirstTokenDetectorTest {

    static Stream<Arguments> events() {
        return Stream.of(
                Arguments.of(Named.of("chat role-only chunk", "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}"), false),
                Arguments.of(Named.of("chat content chunk", "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}"), true),
                Arguments.of(Named.of("chat tool call chunk", "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}"), true),
                Arguments.of(Named.of("completion text chunk", "{\"choices\":[{\"index\":0,\"text\":\" the\"}]}"), true),
                Arguments.of(Named.of("completion empty text", "{\"choices\":[{\"index\":0,\"text\":\"\"}]}"), false),
                Arguments.of(Named.of("usage chunk", "{\"choices\":[],\"usage\":{\"prompt_tokens\":3}}"), false),
                Arguments.of(Named.of("done", "[DONE]"), false),
                Arguments.of(Named.of("not json", "oops"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void carriesToken_event_detected(String data, boolean token) {
        assertThat(FirstTokenDetector.carriesToken(data)).isEqualTo(token);
    }

    @Test
    void feed_roleChunkThenTokenSplitAcrossChunks_trueOnlyOnceTokenComplete() {
        FirstTokenDetector d = new FirstTokenDetector();
        assertThat(d.feed(bytes("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"))).isFalse();
        assertThat(d.feed(bytes("data: {\"choices\":[{\"delta\":{\"con"))).isFalse();
        assertThat(d.feed(bytes("tent\":\"Hi\"}}]}\n\n"))).isTrue();
        assertThat(d.feed(bytes("garbage"))).isTrue();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
