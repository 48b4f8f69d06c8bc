package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TraceReaderTest {

    private static List<TraceRecord> read(String text) throws Exception {
        return TraceReader.read(new BufferedReader(new StringReader(text)), "t.jsonl");
    }

    @Test
    void read_everyField_givesTheRecordsAndWriterRoundTrips() throws Exception {
        String text = """
                {"id":"a","arrival":0,"tenant":"t1","priority":3,"session":"s1","turn":1,"prompt_tokens":120,"prefix_group":"sys","prefix_tokens":100,"output_tokens":16}

                {"arrival":1.25,"prompt":"Hello \\"world\\"","output_tokens":4,"future_field":true}
                """;
        List<TraceRecord> records = read(text);

        assertThat(records).containsExactly(
                new TraceRecord("a", 0, "t1", 3, "s1", 1, new TraceRecord.Synthetic(120, "sys", 100), 16),
                new TraceRecord("line-3", 1.25, "default", 0, null, 1, new TraceRecord.Text("Hello \"world\""), 4));
        assertThat(TraceWriter.toJson(records.get(0))).isEqualTo(
                "{\"id\":\"a\",\"arrival\":0,\"tenant\":\"t1\",\"priority\":3,\"session\":\"s1\",\"turn\":1,"
                        + "\"prompt_tokens\":120,\"prefix_group\":\"sys\",\"prefix_tokens\":100,\"output_tokens\":16}");
        assertThat(read(TraceWriter.toJson(records.get(1)) + "\n")).containsExactly(records.get(1).withArrival(1.25));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON| {arrival: 1 | t.jsonl:1: not JSON",
            "no arrival| {\"prompt\":\"x\",\"output_tokens\":1} | t.jsonl:1: arrival: missing",
            "negative arrival| {\"arrival\":-1,\"prompt\":\"x\",\"output_tokens\":1} | t.jsonl:1: arrival: -1.0 (expected seconds >= 0)",
            "no prompt| {\"arrival\":0,\"output_tokens\":1} | t.jsonl:1: no prompt",
            "both prompts| {\"arrival\":0,\"prompt\":\"x\",\"prompt_tokens\":3,\"output_tokens\":1} | t.jsonl:1: prompt and prompt_tokens both given",
            "zero prompt tokens| {\"arrival\":0,\"prompt_tokens\":0,\"output_tokens\":1} | t.jsonl:1: prompt_tokens: 0 (expected >= 1)",
            "prefix longer than prompt| {\"arrival\":0,\"prompt_tokens\":5,\"prefix_group\":\"g\",\"prefix_tokens\":9,\"output_tokens\":1} | t.jsonl:1: prefix_tokens: 9 (expected 0..5",
            "no output tokens| {\"arrival\":0,\"prompt\":\"x\"} | t.jsonl:1: output_tokens missing",
            "text output tokens| {\"arrival\":0,\"prompt\":\"x\",\"output_tokens\":\"ten\"} | t.jsonl:1: output_tokens: \"ten\" (expected an integer)",
    })
    void read_badLine_namesLineFieldAndValue(String name, String line, String message) {
        assertThatThrownBy(() -> read(line + "\n")).isInstanceOf(TraceFormatException.class).hasMessageContaining(message);
    }

    @Test
    void read_arrivalGoingBack_namesTheLine() {
        String text = """
                {"arrival":2,"prompt":"x","output_tokens":1}
                {"arrival":1,"prompt":"x","output_tokens":1}
                """;
        assertThatThrownBy(() -> read(text)).hasMessageContaining("t.jsonl:2: arrival: 1.0 (expected >= 2.0");
    }

    @Test
    void read_duplicateId_namesTheLine() {
        String text = """
                {"id":"r1","arrival":0,"prompt":"x","output_tokens":1}
                {"id":"r1","arrival":0,"prompt":"y","output_tokens":1}
                """;
        assertThatThrownBy(() -> read(text)).hasMessageContaining("t.jsonl:2: id: 'r1' (expected unique");
    }
}
