package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.FinishReason;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedEngineTextTest {

    private static final String PROMPT = "user: Tell me about the harbour\nassistant:";

    private final VirtualScheduler clock = new VirtualScheduler();
    private final SimulatedEngine engine = SimulatedEngine.create("sim-model", AcceleratorProfile.A100_80G, clock);

    private RecordingListener generate(String prompt, int maxTokens, double temperature, long seed, List<String> stop) {
        RecordingListener listener = new RecordingListener(clock::nanoTime);
        engine.submit(new GenerationRequest("r", prompt, maxTokens, temperature, 1.0, seed, stop), listener);
        clock.runUntilIdle();
        assertThat(listener.error).isNull();
        return listener;
    }

    private RecordingListener generate(long seed, double temperature) {
        return generate(PROMPT, 0, temperature, seed, List.of());
    }

    @Test
    void submit_sameSeedAndPrompt_sameText() {
        assertThat(generate(7, 0.8).text()).isEqualTo(generate(7, 0.8).text());
    }

    @Test
    void submit_differentSeeds_differentText() {
        assertThat(generate(7, 0.8).text()).isNotEqualTo(generate(8, 0.8).text());
    }

    @Test
    void submit_differentPromptsSameSeed_differentText() {
        String other = generate("user: Tell me about the mountains\nassistant:", 0, 0.8, 7, List.of()).text();
        assertThat(generate(7, 0.8).text()).isNotEqualTo(other);
    }

    @Test
    void submit_temperatureZero_textDependsOnThePromptOnly() {
        String first = generate(1, 0).text();

        assertThat(generate(2, 0).text()).isEqualTo(first);
        assertThat(generate(99, 0).text()).isEqualTo(first);
    }

    @Test
    void submit_noLimits_endsTheTextWithStopAndCountsWhatItGenerated() {
        RecordingListener listener = generate(3, 0.8);

        String text = listener.text();
        assertThat(listener.finish).isEqualTo(FinishReason.STOP);
        assertThat(text).matches("( [A-Z][a-z]+)( [A-Za-z]+|[.,!])*[.!]");
        assertThat(listener.tokens).allSatisfy(token -> assertThat(token).matches(" [A-Za-z]+|[.,!]"));
        assertThat(listener.usage.promptTokens()).isEqualTo(engine.countTokens(PROMPT));
        assertThat(listener.usage.completionTokens()).isEqualTo(listener.tokens.size())
                .isEqualTo(engine.countTokens(text));
    }

    @Test
    void submit_sentenceCounts_varyWithTheSeedBetweenOneAndSix() {
        List<Long> counts = LongStream.range(0, 40)
                .mapToObj(seed -> generate(seed, 0.8).text().chars().filter(c -> c == '.' || c == '!').count())
                .toList();

        assertThat(counts).allSatisfy(count -> assertThat(count).isBetween(1L, 6L));
        assertThat(counts).contains(1L, 6L);
    }

    @Test
    void submit_maxTokens_endsWithLengthAfterExactlyThatManyTokens() {
        RecordingListener listener = generate(PROMPT, 4, 0.8, 3, List.of());

        assertThat(listener.finish).isEqualTo(FinishReason.LENGTH);
        assertThat(listener.tokens).hasSize(4);
        assertThat(listener.usage.completionTokens()).isEqualTo(4);
        assertThat(listener.text()).isEqualTo(String.join("", generate(3, 0.8).tokens.subList(0, 4)));
    }

    @Test
    void submit_stopSequenceAcrossTokens_textEndsBeforeItWithStop() {
        List<String> full = generate(5, 0.8).tokens;
        String stop = full.get(3) + full.get(4); // e.g. " found a": spans two tokens
        String fullText = String.join("", full);
        String expected = fullText.substring(0, fullText.indexOf(stop));

        RecordingListener listener = generate(PROMPT, 0, 0.8, 5, List.of("no such words", stop));

        assertThat(listener.text()).isEqualTo(expected);
        assertThat(listener.finish).isEqualTo(FinishReason.STOP);
        assertThat(listener.usage.completionTokens()).isEqualTo(listener.tokens.size()).isLessThanOrEqualTo(5);
    }

    @Test
    void submit_stopSequenceNeverSeen_textUnchanged() {
        RecordingListener plain = generate(5, 0.8);

        RecordingListener withStop = generate(PROMPT, 0, 0.8, 5, List.of("zebra"));

        assertThat(withStop.text()).isEqualTo(plain.text());
        assertThat(withStop.finish).isEqualTo(plain.finish);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "''                 | 0",
        "'   '              | 1",
        "' The cat sat.'    | 4",
        "'Hello, world!'    | 4",
        "'it''s 42 o''clock'| 3",
        "'a-b'              | 3",
    })
    void countTokens_text_countsWordsAndPunctuation(String text, int expected) {
        assertThat(engine.countTokens(text)).isEqualTo(expected);
    }

    @Test
    void chatPrompt_messages_rendersRoleColonContentLinesThenAssistant() {
        String prompt = engine.chatPrompt(List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "Hi")));

        assertThat(prompt).isEqualTo("system: Be brief.\nuser: Hi\nassistant:");
    }
}
