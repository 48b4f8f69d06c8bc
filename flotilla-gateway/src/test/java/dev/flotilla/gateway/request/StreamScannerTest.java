package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.OpenAiJson;
import dev.flotilla.protocol.Sse;
import dev.flotilla.protocol.Usage;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chunks as our nodes (through {@link OpenAiJson}), vLLM, SGLang, llama.cpp's server and OpenAI send
 * them, one event each: does the event carry output, and which usage does it report.
 */
class StreamScannerTest {
    private static final String VLLM = "{\"id\":\"chatcmpl-95f70ae00614b063\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1782114956,\"model\":\"/model/Qwen\",\"choices\":[{\"index\":0,";

    static Stream<Arguments> events() {
        return Stream.of(
                event("node chat role-only first chunk",
                        OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", "assistant", "", null, false), false, -1, -1),
                event("node chat role-only first chunk, usage requested",
                        OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", "assistant", "", null, true), false, -1, -1),
                event("node chat content chunk",
                        OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "Hi", null, true), true, -1, -1),
                event("node chat finish chunk",
                        OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, null, FinishReason.STOP, true), false, -1, -1),
                event("node completion text chunk",
                        OpenAiJson.chunk(Endpoint.COMPLETIONS, "c1", 1, "m", null, " the", null, false), true, -1, -1),
                event("node completion finish chunk",
                        OpenAiJson.chunk(Endpoint.COMPLETIONS, "c1", 1, "m", null, "", FinishReason.LENGTH, false), false, -1, -1),
                event("node usage chunk",
                        OpenAiJson.usageChunk(Endpoint.CHAT, "c1", 1, "m", new Usage(11, 7)), false, 11, 7),
                event("node content with quotes and backslashes",
                        OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "say \"content\":\"\\", null, false), true, -1, -1),
                event("vllm role-only first chunk",
                        VLLM + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}",
                        false, -1, -1),
                event("vllm role-only first chunk without content",
                        VLLM + "\"delta\":{\"role\":\"assistant\"},\"logprobs\":null,\"finish_reason\":null}]}", false, -1, -1),
                event("vllm content chunk with token ids",
                        VLLM + "\"delta\":{\"content\":\"target\"},\"logprobs\":null,\"finish_reason\":null,\"token_ids\":[28292]}]}",
                        true, -1, -1),
                event("vllm content that is one escaped quote",
                        VLLM + "\"delta\":{\"content\":\"\\\"\"},\"logprobs\":null,\"finish_reason\":null}]}", true, -1, -1),
                event("vllm content that is one escaped backslash",
                        VLLM + "\"delta\":{\"content\":\"\\\\\"},\"logprobs\":null,\"finish_reason\":null}]}", true, -1, -1),
                event("vllm content that is a newline",
                        VLLM + "\"delta\":{\"content\":\"\\n\"},\"logprobs\":null,\"finish_reason\":null}]}", true, -1, -1),
                event("vllm content in UTF-8",
                        VLLM + "\"delta\":{\"content\":\"我是\"},\"logprobs\":null,\"finish_reason\":null}]}", true, -1, -1),
                event("vllm empty content delta",
                        VLLM + "\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}", false, -1, -1),
                event("vllm finish chunk",
                        VLLM + "\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\",\"stop_reason\":null}]}",
                        false, -1, -1),
                event("vllm usage chunk",
                        "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],"
                                + "\"usage\":{\"prompt_tokens\":16,\"total_tokens\":54,\"completion_tokens\":38}}", false, 16, 38),
                event("vllm continuous usage on a content chunk",
                        VLLM + "\"delta\":{\"content\":\" of\"},\"logprobs\":null,\"finish_reason\":null}],"
                                + "\"usage\":{\"prompt_tokens\":33,\"total_tokens\":98,\"completion_tokens\":65}}", true, 33, 65),
                event("vllm completion text chunk",
                        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                                + "\"text\":\" the\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}]}", true, -1, -1),
                event("vllm completion empty text with finish",
                        "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,"
                                + "\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}]}", false, -1, -1),
                event("vllm logprobs content array only",
                        VLLM + "\"delta\":{\"content\":\"\"},\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.1,"
                                + "\"bytes\":[72,105],\"top_logprobs\":[]}]},\"finish_reason\":null}]}", false, -1, -1),
                event("vllm tool call delta",
                        VLLM + "\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                                + "\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}", true, -1, -1),
                event("empty tool call list",
                        VLLM + "\"delta\":{\"content\":\"\",\"tool_calls\":[ ]},\"finish_reason\":null}]}", false, -1, -1),
                event("vllm reasoning content",
                        VLLM + "\"delta\":{\"reasoning_content\":\"Let\"},\"finish_reason\":null}]}", true, -1, -1),
                event("vllm reasoning",
                        VLLM + "\"delta\":{\"reasoning\":\"so\"},\"finish_reason\":null}]}", true, -1, -1),
                event("sglang content with null reasoning",
                        "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"default\","
                                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\" Here's\","
                                + "\"reasoning_content\":null},\"logprobs\":null,\"finish_reason\":null}]}", true, -1, -1),
                event("llama.cpp content chunk",
                        "{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"created\":1,"
                                + "\"id\":\"chatcmpl-x\",\"model\":\"m\",\"system_fingerprint\":\"b4916\",\"object\":\"chat.completion.chunk\"}",
                        true, -1, -1),
                event("llama.cpp final chunk with usage and timings",
                        "{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}],\"created\":1,\"id\":\"chatcmpl-x\","
                                + "\"model\":\"m\",\"object\":\"chat.completion.chunk\",\"usage\":{\"completion_tokens\":12,"
                                + "\"prompt_tokens\":5,\"total_tokens\":17},\"timings\":{\"prompt_n\":5,\"prompt_ms\":1.25,"
                                + "\"predicted_n\":12,\"predicted_ms\":30.5}}", false, 5, 12),
                event("openai usage with details",
                        "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12,"
                                + "\"prompt_tokens_details\":{\"cached_tokens\":4,\"audio_tokens\":0},"
                                + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}", false, 9, 3),
                event("openai usage null on a content chunk",
                        VLLM + "\"delta\":{\"content\":\"a\"},\"finish_reason\":null}],\"usage\":null}", true, -1, -1),
                event("key-like text inside another string",
                        VLLM + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"note\":\"x\\\"content\\\":\\\"y "
                                + "\\\"usage\\\":{\\\"prompt_tokens\\\":3}\"}]}", false, -1, -1),
                event("spaces after separators",
                        "{\"choices\": [{\"delta\": {\"content\" : \"Hi\"}}], \"usage\": {\"prompt_tokens\": 3, "
                                + "\"completion_tokens\": 4}}", true, 3, 4),
                event("error event", "{\"error\":{\"message\":\"generation failed\",\"type\":\"server_error\","
                        + "\"param\":null,\"code\":null}}", false, -1, -1),
                event("done", Sse.DONE, false, -1, -1));
    }

    private static Arguments event(String name, String data, boolean output, long prompt, long completion) {
        return Arguments.of(Named.of(name, data), output, prompt, completion);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("events")
    void feed_recordedEvent_outputAndUsage(String data, boolean output, long prompt, long completion) {
        StreamScanner s = StreamScanner.forEvents();
        assertThat(s.feed(buffer(Sse.data(data)))).isEqualTo(output ? 1 : 0);
        assertThat(s.outputEvents()).isEqualTo(output ? 1 : 0);
        assertThat(s.promptTokens()).isEqualTo(prompt);
        assertThat(s.completionTokens()).isEqualTo(completion);
    }

    /** A whole chat stream as our nodes send it with usage on: role chunk, 3 tokens, finish, usage, done. */
    private static String nodeStream() {
        return Sse.data(OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", "assistant", "", null, true))
                + Sse.data(OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "Hel", null, true))
                + Sse.data(OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "lo \"x\"", null, true))
                + Sse.data(OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "\\", null, true))
                + Sse.data(OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, null, FinishReason.STOP, true))
                + Sse.data(OpenAiJson.usageChunk(Endpoint.CHAT, "c1", 1, "m", new Usage(21, 3)))
                + Sse.done();
    }

    @Test
    void feed_streamSplitAtEveryByte_sameEventsAndUsage() {
        byte[] all = nodeStream().getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= all.length; cut++) {
            StreamScanner s = StreamScanner.forEvents();
            int events = s.feed(Buffer.buffer().appendBytes(all, 0, cut))
                    + s.feed(Buffer.buffer().appendBytes(all, cut, all.length - cut)) + s.finish();
            assertThat(events).as("split at %d", cut).isEqualTo(3);
            assertThat(s.outputEvents()).as("split at %d", cut).isEqualTo(3);
            assertThat(s.promptTokens()).as("split at %d", cut).isEqualTo(21);
            assertThat(s.completionTokens()).as("split at %d", cut).isEqualTo(3);
        }
    }

    static Stream<Arguments> streams() {
        String vllm = Sse.data(VLLM + "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":12,\"completion_tokens\":0}}")
                + Sse.data(VLLM + "\"delta\":{\"content\":\"\\\"\"},\"logprobs\":null,\"finish_reason\":null}],"
                + "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":13,\"completion_tokens\":1}}")
                + Sse.data(VLLM + "\"delta\":{\"reasoning_content\":\"\\\\n\"},\"logprobs\":null,\"finish_reason\":null}],"
                + "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":14,\"completion_tokens\":2}}")
                + Sse.data(VLLM + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"content\\\":\\\"\"}}]},"
                + "\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":15,\"completion_tokens\":3}}")
                + Sse.data(VLLM + "\"delta\":{\"content\":\"\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":12,\"total_tokens\":15,\"completion_tokens\":3,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":8}}}")
                + Sse.done();
        String llamaCpp = Sse.data("{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"role\":\"assistant\","
                + "\"content\":null}}],\"created\":1,\"id\":\"chatcmpl-x\",\"model\":\"m\",\"object\":\"chat.completion.chunk\"}")
                + Sse.data("{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"Once\"}}],\"created\":1}")
                + Sse.data("{\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\" upon\"}}],\"created\":1}")
                + Sse.data("{\"choices\":[{\"finish_reason\":\"length\",\"index\":0,\"delta\":{}}],\"created\":1,"
                + "\"usage\":{\"completion_tokens\":2,\"prompt_tokens\":6,\"total_tokens\":8},"
                + "\"timings\":{\"prompt_n\":6,\"prompt_ms\":1.5,\"predicted_n\":2,\"predicted_per_second\":80.5}}")
                + Sse.done();
        String spaced = "data: {\"choices\": [{\"delta\": {\"role\": \"assistant\"}}]}\r\n\r\n"
                + "data: {\"choices\" : [ {\"text\" :  \"a b\" } ] }\r\n\r\n"
                + "data: {\"choices\": [], \"usage\" : { \"prompt_tokens\" : 4 , \"completion_tokens\" : 1 } }\r\n\r\n"
                + "data: [DONE]\r\n\r\n";
        return Stream.of(
                Arguments.of(Named.of("our node, usage on", nodeStream()), 3, 21, 3),
                Arguments.of(Named.of("vllm, continuous usage, escapes, reasoning, tool call", vllm), 3, 12, 3),
                Arguments.of(Named.of("llama.cpp, usage and timings in the last chunk", llamaCpp), 2, 6, 2),
                Arguments.of(Named.of("spaces and CRLF", spaced), 1, 4, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streams")
    void feed_recordedStreamSplitInThreeAnywhere_sameAsWhole(String stream, int events, long prompt, long completion) {
        byte[] all = stream.getBytes(StandardCharsets.UTF_8);
        StreamScanner whole = StreamScanner.forEvents();
        assertThat(whole.feed(Buffer.buffer(all)) + whole.finish()).isEqualTo(events);
        assertThat(whole.promptTokens()).isEqualTo(prompt);
        assertThat(whole.completionTokens()).isEqualTo(completion);
        java.util.Random random = new java.util.Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            int a = random.nextInt(all.length + 1);
            int b = random.nextInt(all.length + 1);
            int first = Math.min(a, b);
            int second = Math.max(a, b);
            StreamScanner s = StreamScanner.forEvents();
            int seen = s.feed(Buffer.buffer().appendBytes(all, 0, first))
                    + s.feed(Buffer.buffer().appendBytes(all, first, second - first))
                    + s.feed(Buffer.buffer().appendBytes(all, second, all.length - second)) + s.finish();
            String at = "split at " + first + " and " + second;
            assertThat(seen).as(at).isEqualTo(events);
            assertThat(s.promptTokens()).as(at).isEqualTo(prompt);
            assertThat(s.completionTokens()).as(at).isEqualTo(completion);
        }
    }

    @Test
    void feed_oneByteAtATime_eventCountedWhereItsBlankLineArrives() {
        byte[] all = nodeStream().getBytes(StandardCharsets.UTF_8);
        StreamScanner s = StreamScanner.forEvents();
        List<Integer> completedAt = new ArrayList<>();
        for (int i = 0; i < all.length; i++) {
            if (s.feed(Buffer.buffer().appendByte(all[i])) == 1) {
                completedAt.add(i);
            }
        }
        assertThat(completedAt).hasSize(3).allSatisfy(i -> {
            assertThat(all[i]).isEqualTo((byte) '\n');
            assertThat(all[i - 1]).isEqualTo((byte) '\n');
        });
        assertThat(s.promptTokens()).isEqualTo(21);
        assertThat(s.completionTokens()).isEqualTo(3);
    }

    @Test
    void feed_severalEventsInOneChunk_countsEach() {
        StreamScanner s = StreamScanner.forEvents();
        assertThat(s.feed(buffer(nodeStream()))).isEqualTo(3);
        assertThat(s.finish()).isZero();
    }

    @Test
    void feed_crlfLineEnds_eventsEndAtBlankLine() {
        String crlf = nodeStream().replace("\n", "\r\n");
        StreamScanner s = StreamScanner.forEvents();
        assertThat(s.feed(buffer(crlf))).isEqualTo(3);
        assertThat(s.completionTokens()).isEqualTo(3);
    }

    @Test
    void feed_continuousUsage_lastObjectWins() {
        StreamScanner s = StreamScanner.forEvents();
        s.feed(buffer(Sse.data(VLLM + "\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}")));
        s.feed(buffer(Sse.data(VLLM + "\"delta\":{\"content\":\"b\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}")));
        assertThat(s.outputEvents()).isEqualTo(2);
        assertThat(s.completionTokens()).isEqualTo(2);
    }

    @Test
    void feed_usageObjectCutOffByEventEnd_notTaken() {
        StreamScanner s = StreamScanner.forEvents();
        s.feed(buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7\n\n"));
        assertThat(s.promptTokens()).isEqualTo(-1);
        assertThat(s.completionTokens()).isEqualTo(-1);
    }

    @Test
    void finish_lastEventWithoutBlankLine_countsIt() {
        StreamScanner s = StreamScanner.forEvents();
        assertThat(s.feed(buffer("data: " + OpenAiJson.chunk(Endpoint.CHAT, "c1", 1, "m", null, "x", null, false)))).isZero();
        assertThat(s.finish()).isEqualTo(1);
        assertThat(s.outputEvents()).isEqualTo(1);
    }

    @Test
    void feed_brokenEvent_nextEventReadCleanly() {
        StreamScanner s = StreamScanner.forEvents();
        // an unterminated string must not swallow the next event
        assertThat(s.feed(buffer("data: {\"choices\":[{\"delta\":{\"content\":\"ab\n\n"))).isEqualTo(1);
        assertThat(s.feed(buffer("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"))).isZero();
        assertThat(s.feed(buffer("data: {\"choices\":[{\"delta\":{\"content\":\"z\"}}]}\n\n"))).isEqualTo(1);
    }

    @Test
    void feed_nonStreamedBody_usageOnlyAndBlankLinesAreWhitespace() {
        String body = OpenAiJson.response(Endpoint.CHAT, "c1", 1, "m", "hello\n\nworld", FinishReason.STOP, new Usage(8, 2));
        String pretty = body.replace(",\"usage\":", ",\n\n  \"usage\" :\n ");
        for (String text : List.of(body, pretty)) {
            StreamScanner s = StreamScanner.forBody();
            byte[] all = text.getBytes(StandardCharsets.UTF_8);
            int half = all.length / 2;
            assertThat(s.feed(Buffer.buffer().appendBytes(all, 0, half)) + s.feed(Buffer.buffer().appendBytes(all, half,
                    all.length - half)) + s.finish()).as(text).isZero();
            assertThat(s.promptTokens()).as(text).isEqualTo(8);
            assertThat(s.completionTokens()).as(text).isEqualTo(2);
        }
    }

    private static Buffer buffer(String s) {
        return Buffer.buffer(s.getBytes(StandardCharsets.UTF_8));
    }
}
