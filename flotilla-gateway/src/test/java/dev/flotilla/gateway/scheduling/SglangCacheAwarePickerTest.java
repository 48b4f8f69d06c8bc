package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SglangCacheAwarePickerTest {
    private static final String CACHED = "c".repeat(64 * 4); // four blocks, sent to node a first

    private static SglangCacheAwarePicker picker(Map<String, Object> params) {
        return SglangCacheAwarePicker.create(new PluginParams("p", params), PluginContext.of(Clock.systemUTC(), 1));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("balanced, prompt cached on a: a", Map.of()), new int[] {5, 0, 0}, CACHED, "a"),
                Arguments.of(Named.of("imbalanced (40 - 0 > 32, 40 > 0): least loaded, despite the cache", Map.of()),
                        new int[] {40, 20, 0}, CACHED, "c"),
                Arguments.of(Named.of("difference 32 is not above 32: still balanced, cache wins", Map.of()),
                        new int[] {32, 0, 0}, CACHED, "a"),
                Arguments.of(Named.of("relative threshold 3: 100 > 40 * 3 is false, balanced", Map.of(
                        "balanceRelThreshold", 3)), new int[] {100, 40, 40}, CACHED, "a"),
                Arguments.of(Named.of("relative threshold 2: 100 > 40 * 2, imbalanced", Map.of(
                        "balanceRelThreshold", 2)), new int[] {100, 40, 45}, CACHED, "b"),
                Arguments.of(Named.of("match 2 of 4 blocks is not above 0.5: smallest tree (b or c empty, not a)",
                        Map.of()), new int[] {0, 0, 0}, "c".repeat(128) + "d".repeat(128), "b|c"),
                Arguments.of(Named.of("threshold 0.4: half a match is enough", Map.of("cacheThreshold", 0.4)),
                        new int[] {0, 0, 0}, "c".repeat(128) + "d".repeat(128), "a"),
                Arguments.of(Named.of("uncached prompt: the smallest tree", Map.of()), new int[] {0, 0, 0},
                        "z".repeat(300), "b|c"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pick_case_followsSglangPolicy(Map<String, Object> params, int[] outstanding, String prompt, String expected) {
        SglangCacheAwarePicker p = picker(params);
        List<NodeSnapshot> nodes = Nodes.all(node("a").outstanding(outstanding[0]),
                node("b").outstanding(outstanding[1]), node("c").outstanding(outstanding[2]));
        p.dispatched(Nodes.request(CACHED), nodes.get(0));
        for (int i = 0; i < 20; i++) {
            int got = p.pick(Nodes.request(prompt), nodes, new double[3]);
            assertThat(nodes.get(got).name()).matches(expected);
        }
    }

    @Test
    void pick_distinctPromptsWhileBalanced_spreadOverNodesBySmallestTree() {
        SglangCacheAwarePicker p = picker(Map.of());
        List<NodeSnapshot> nodes = Nodes.all(node("a"), node("b"), node("c"));
        int[] counts = new int[3];
        for (int i = 0; i < 30; i++) {
            var r = Nodes.request(i + ":" + "q".repeat(64 * 2));
            int got = p.pick(r, nodes, new double[3]);
            p.dispatched(r, nodes.get(got));
            counts[got]++;
        }
        assertThat(counts).containsExactly(10, 10, 10);
    }
}
