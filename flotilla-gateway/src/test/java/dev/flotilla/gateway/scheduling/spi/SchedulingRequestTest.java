package dev.flotilla.gateway.scheduling.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The prompt text and the block hash chain the prefix plugins key on. */
class SchedulingRequestTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static SchedulingRequest completion(String prompt) {
        return new SchedulingRequest(1, new InferenceRequest(Endpoint.COMPLETIONS, "m", null, prompt, false, false,
                null, 1.0, 1.0, null, List.of(), null), null, NOW);
    }

    private static SchedulingRequest chat(List<ChatMessage> messages) {
        return new SchedulingRequest(1, new InferenceRequest(Endpoint.CHAT, "m", messages, null, false, false,
                null, 1.0, 1.0, null, List.of(), null), null, NOW);
    }

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of(Named.of("completion: the prompt", completion("hello")), "hello"),
                Arguments.of(Named.of("chat: role and content of each message, newline after each",
                        chat(List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "hi")))),
                        "system\nbe brief\nuser\nhi\n"),
                Arguments.of(Named.of("chat without messages: empty", chat(List.of())), ""));
    }

    @ParameterizedTest
    @MethodSource("texts")
    void promptText_request_joinsRolesAndContents(SchedulingRequest request, String expected) {
        assertThat(request.promptText()).isEqualTo(expected);
        assertThat(request.estimatedPromptTokens()).isEqualTo(Math.max(1, (expected.length() + 3) / 4));
    }

    @Test
    void blockHashes_sharedPrefix_sameLeadingHashesAndAPartialLastBlockLeftOut() {
        String a = "x".repeat(64 * 3) + "a".repeat(64 * 2) + "tail";
        String b = "x".repeat(64 * 3) + "b".repeat(64 * 2 + 63);
        long[] ha = completion(a).blockHashes(64);
        long[] hb = completion(b).blockHashes(64);
        assertThat(ha).hasSize(5);
        assertThat(hb).hasSize(5);
        assertThat(Arrays.copyOf(ha, 3)).containsExactly(Arrays.copyOf(hb, 3));
        assertThat(ha[3]).isNotEqualTo(hb[3]);
        assertThat(ha[4]).isNotEqualTo(hb[4]);
        assertThat(completion("x".repeat(63)).blockHashes(64)).isEmpty();
        // the chain: the same block after different prefixes names a different prefix
        assertThat(completion("y".repeat(64) + "z".repeat(64)).blockHashes(64)[1])
                .isNotEqualTo(completion("w".repeat(64) + "z".repeat(64)).blockHashes(64)[1]);
    }

    @Test
    void blockHashes_oneCharChangedAnywhere_changesThatBlockAndEveryLaterOne() {
        SplittableRandom random = new SplittableRandom(3);
        char[] text = new char[64 * 6 + 7];
        for (int i = 0; i < text.length; i++) {
            text[i] = (char) ('a' + random.nextInt(26));
        }
        long[] base = completion(new String(text)).blockHashes(64);
        Set<Long> seen = new HashSet<>();
        for (long h : base) {
            seen.add(h);
        }
        for (int pos = 0; pos < 64 * 6; pos++) { // every place in a 4-char word, in every block
            char[] changed = text.clone();
            changed[pos] = changed[pos] == 'é' ? 'e' : 'é';
            long[] h = completion(new String(changed)).blockHashes(64);
            int block = pos / 64;
            for (int k = 0; k < block; k++) {
                assertThat(h[k]).isEqualTo(base[k]);
            }
            for (int k = block; k < h.length; k++) {
                assertThat(h[k]).as("block %d after a change at %d", k, pos).isNotEqualTo(base[k]);
                assertThat(seen.add(h[k])).as("a new hash for block %d after a change at %d", k, pos).isTrue();
            }
        }
    }

    @Test
    void blockHashes_blockSizeNotAMultipleOfFour_hashesEveryChar() {
        String text = "abcdefg".repeat(3);
        long[] h = completion(text).blockHashes(7);
        assertThat(h).hasSize(3).doesNotHaveDuplicates();
        assertThat(completion("abcdefX" + text.substring(7)).blockHashes(7)[0]).isNotEqualTo(h[0]);
        assertThat(completion(text).blockHashes(7)).containsExactly(h);
    }
}
