package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TraceFileTest {

    static List<SimRequest> read(String text) {
        List<SimRequest> out = new ArrayList<>();
        try (TraceFile trace = TraceFile.of(new BufferedReader(new StringReader(text)), "t.jsonl")) {
            trace.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void read_benchTraceLines_mappedToSimRequests() {
        List<SimRequest> r = read("""
                {"id":"a","arrival":0.5,"tenant":"acme","priority":2,"session":"s1","turn":1,"prompt_tokens":300,"prefix_group":"sys","prefix_tokens":100,"output_tokens":64}

                {"arrival":1.25,"prompt":"Hello there","output_tokens":8,"future_field":true}
                """);

        assertThat(r).containsExactly(
                new SimRequest("a", 500_000_000L, "acme", 2, "s1", new SimPrompt.Synthetic(300, "sys", 100), 64),
                new SimRequest("line-3", 1_250_000_000L, "default", 0, null, new SimPrompt.Text("Hello there"), 8));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Named.of("not JSON", "{arrival"), "t.jsonl:1: not JSON"),
                Arguments.of(Named.of("no arrival", "{\"prompt\":\"x\",\"output_tokens\":1}"),
                        "t.jsonl:1: arrival: missing"),
                Arguments.of(Named.of("back in time",
                                "{\"arrival\":2,\"prompt\":\"x\",\"output_tokens\":1}\n{\"arrival\":1,\"prompt\":\"x\",\"output_tokens\":1}"),
                        "t.jsonl:2: arrival: 1 (expected >= the previous line's"),
                Arguments.of(Named.of("duplicate id",
                                "{\"id\":\"a\",\"arrival\":0,\"prompt\":\"x\",\"output_tokens\":1}\n{\"id\":\"a\",\"arrival\":0,\"prompt\":\"x\",\"output_tokens\":1}"),
                        "t.jsonl:2: id: 'a' (expected unique"),
                Arguments.of(Named.of("no output tokens", "{\"arrival\":0,\"prompt\":\"x\"}"),
                        "t.jsonl:1: output_tokens missing"),
                Arguments.of(Named.of("prefix longer than the prompt",
                                "{\"arrival\":0,\"prompt_tokens\":10,\"prefix_group\":\"g\",\"prefix_tokens\":20,\"output_tokens\":1}"),
                        "t.jsonl:1: prefix tokens: 20 (expected 0..10)"),
                Arguments.of(Named.of("both prompts", "{\"arrival\":0,\"prompt\":\"x\",\"prompt_tokens\":3,\"output_tokens\":1}"),
                        "t.jsonl:1: prompt and prompt_tokens both given"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void read_invalidLine_messageNamesLineFieldAndValue(String text, String message) {
        assertThatThrownBy(() -> read(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
