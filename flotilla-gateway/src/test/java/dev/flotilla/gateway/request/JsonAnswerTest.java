package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonAnswerTest {
    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"id\":\"a\",\"choices\":[{\"message\":{\"content\":\"hi\"}}]}", "  {\"a\":1}\n"})
    void problem_oneJsonObject_none(String body) {
        assertThat(JsonAnswer.problem(Buffer.buffer(body))).isNull();
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of(Named.of("plain text", "not json"), "8 bytes that is not valid JSON"),
                Arguments.of(Named.of("empty", ""), "0 bytes that is not a JSON object"),
                Arguments.of(Named.of("an array", "[1,2]"), "that is not a JSON object (an array)"),
                Arguments.of(Named.of("a string", "\"ok\""), "that is not a JSON object (a value string)"),
                Arguments.of(Named.of("truncated object", "{\"id\":\"a\",\"cho"), "that is not valid JSON"),
                Arguments.of(Named.of("two objects", "{}{}"), "data after its JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void problem_notOneJsonObject_saysWhat(String body, String expected) {
        assertThat(JsonAnswer.problem(Buffer.buffer(body))).contains(expected);
    }
}
