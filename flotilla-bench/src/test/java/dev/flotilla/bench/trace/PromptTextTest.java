package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromptTextTest {

    private static TraceRecord synthetic(String id, String session, int tokens, String group, int prefix) {
        return new TraceRecord(id, 0, "t", 0, session, 1, new TraceRecord.Synthetic(tokens, group, prefix), 1);
    }

    @Test
    void of_literalPrompt_sentAsItIs() {
        assertThat(PromptText.of(TraceRecord.of("a", 0, new TraceRecord.Text("Once upon a time"), 3)))
                .isEqualTo("Once upon a time");
    }

    @Test
    void of_lengthOnly_oneWordPerTokenAndDeterministic() {
        String text = PromptText.of(synthetic("r1", null, 250, null, 0));

        assertThat(text.split(" ")).hasSize(250).allMatch(w -> w.matches("[a-z]+"));
        assertThat(PromptText.of(synthetic("r1", null, 250, null, 0))).isEqualTo(text);
        assertThat(PromptText.of(synthetic("r2", null, 250, null, 0))).isNotEqualTo(text);
    }

    @Test
    void of_samePrefixGroup_samePrefixTextThenOwnText() {
        String a = PromptText.of(synthetic("r1", null, 60, "sys", 40));
        String b = PromptText.of(synthetic("r2", null, 80, "sys", 40));
        String c = PromptText.of(synthetic("r3", null, 60, "other", 40));

        assertThat(words(a, 0, 40)).isEqualTo(words(b, 0, 40)).isNotEqualTo(words(c, 0, 40));
        assertThat(words(a, 40, 60)).isNotEqualTo(words(b, 40, 60));
        assertThat(PromptText.words("prefix", "sys", 40)).isEqualTo(words(a, 0, 40));
    }

    @Test
    void of_sameSession_longerTurnExtendsShorter() {
        String turn1 = PromptText.of(synthetic("r1", "s", 30, "sys", 10));
        String turn2 = PromptText.of(synthetic("r7", "s", 75, "sys", 10));

        assertThat(turn2).startsWith(turn1 + " ");
        assertThat(turn2.split(" ")).hasSize(75);
    }

    private static String words(String text, int from, int to) {
        String[] w = text.split(" ");
        return String.join(" ", java.util.Arrays.copyOfRange(w, from, to));
    }
}
