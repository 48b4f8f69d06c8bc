package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeDiffTest {
    private static GatewayConfig.Node n(String name, int port) {
        return new GatewayConfig.Node(name, "http://127.0.0.1:" + port);
    }

    private static GatewayConfig.Node n(String name, String url, String accelerator, Integer memoryGb) {
        return new GatewayConfig.Node(name, url, accelerator, memoryGb, null);
    }

    private static String describe(NodeDiff.Change c) {
        return switch (c) {
            case NodeDiff.Add a -> "add " + a.name() + " " + a.node().url();
            case NodeDiff.Remove r -> "remove " + r.name();
            case NodeDiff.Readdress r -> "readdress " + r.name() + " " + r.from().url() + " -> " + r.to().url();
            case NodeDiff.UpdateFacts u -> "facts " + u.name() + " " + u.node().accelerator() + " " + u.node().memoryGb();
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("nothing changed", List.of(n("a", 1), n("b", 2))), List.of(n("a", 1), n("b", 2)),
                        List.of()),
                Arguments.of(Named.of("from no nodes", List.of()), List.of(n("a", 1)),
                        List.of("add a http://127.0.0.1:1")),
                Arguments.of(Named.of("to no nodes", List.of(n("a", 1), n("b", 2))), List.of(),
                        List.of("remove a", "remove b")),
                Arguments.of(Named.of("node appended", List.of(n("a", 1))), List.of(n("a", 1), n("b", 2)),
                        List.of("add b http://127.0.0.1:2")),
                Arguments.of(Named.of("node deleted", List.of(n("a", 1), n("b", 2))), List.of(n("a", 1)),
                        List.of("remove b")),
                Arguments.of(Named.of("url to another server", List.of(n("a", 1))), List.of(n("a", 11)),
                        List.of("readdress a http://127.0.0.1:1 -> http://127.0.0.1:11")),
                Arguments.of(Named.of("url spelled differently, same server", List.of(n("a", "http://h:80", null, null))),
                        List.of(n("a", "http://H/", null, null)), List.of()),
                Arguments.of(Named.of("facts changed", List.of(n("a", "http://h:1", "L4", 24))),
                        List.of(n("a", "http://h:1", "H100", 80)), List.of("facts a H100 80")),
                Arguments.of(Named.of("facts dropped", List.of(n("a", "http://h:1", "L4", 24))),
                        List.of(n("a", "http://h:1", null, null)), List.of("facts a null null")),
                Arguments.of(Named.of("url and facts changed: readdress wins", List.of(n("a", "http://h:1", "L4", 24))),
                        List.of(n("a", "http://h:2", "H100", 80)), List.of("readdress a http://h:1 -> http://h:2")),
                Arguments.of(Named.of("renamed, same url", List.of(n("a", 1))), List.of(n("c", 1)),
                        List.of("remove a", "add c http://127.0.0.1:1")),
                Arguments.of(Named.of("reordered only", List.of(n("a", 1), n("b", 2))), List.of(n("b", 2), n("a", 1)),
                        List.of()),
                Arguments.of(Named.of("mixed: removals first, then the new file's order",
                                List.of(n("a", 1), n("b", 2), n("c", 3))),
                        List.of(n("d", 4), n("c", "http://127.0.0.1:3", "L4", null), n("a", 11)),
                        List.of("remove b", "add d http://127.0.0.1:4", "facts c L4 null",
                                "readdress a http://127.0.0.1:1 -> http://127.0.0.1:11")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void between_twoVersions_changesToApply(List<GatewayConfig.Node> before, List<GatewayConfig.Node> after,
                                            List<String> expected) {
        NodeDiff diff = NodeDiff.between(before, after);
        assertThat(diff.changes()).extracting(NodeDiffTest::describe).containsExactlyElementsOf(expected);
        assertThat(diff.isEmpty()).isEqualTo(expected.isEmpty());
    }
}
