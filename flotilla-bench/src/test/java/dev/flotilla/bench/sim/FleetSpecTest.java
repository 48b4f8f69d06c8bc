package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FleetSpecTest {

    @Test
    void parse_fullFile_everyField() {
        FleetSpec f = FleetSpec.parse("""
                model: llama
                nodes:
                  - profile: A100-80G
                    count: 8
                  - profile: l4
                    count: 4
                    prefixCaching: false
                    name: edge
                routing:
                  policy: least-requests
                telemetry:
                  scrapeInterval: 250ms
                  scrapeDelay: 1.5ms
                  staleAfter: 3s
                overhead:
                  request: 0.4ms
                  response: 250us
                """, "fleet.yaml");

        assertThat(f.model()).isEqualTo("llama");
        assertThat(f.nodes()).containsExactly(new FleetSpec.NodeGroup(null, AcceleratorProfile.A100_80G, 8, true),
                new FleetSpec.NodeGroup("edge", AcceleratorProfile.L4, 4, false));
        assertThat(f.policy()).isEqualTo("least-requests");
        assertThat(f.scrapeInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(f.scrapeDelay()).isEqualTo(Duration.ofNanos(1_500_000));
        assertThat(f.staleAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(f.requestOverhead()).isEqualTo(Duration.ofNanos(400_000));
        assertThat(f.responseOverhead()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(f.nodeCount()).isEqualTo(12);
        assertThat(f.describe()).isEqualTo("8x A100-80G, 4x L4 (no prefix cache)");
        assertThat(f.nodeNames()).startsWith("sim-a100-80g-1").endsWith("edge-9", "edge-10", "edge-11", "edge-12");
    }

    @Test
    void parse_onlyNodes_gatewayDefaults() {
        FleetSpec f = FleetSpec.parse("nodes: [{profile: H100}]", "f");

        assertThat(f.model()).isEqualTo(FleetSpec.DEFAULT_MODEL);
        assertThat(f.nodes()).containsExactly(FleetSpec.NodeGroup.of(AcceleratorProfile.H100, 1));
        assertThat(f.policy()).isEqualTo("flotilla").isEqualTo(GatewayConfig.Routing.DEFAULT_POLICY);
        assertThat(f.scrapeInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(f.scrapeDelay()).isZero();
        assertThat(f.staleAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(f.requestOverhead()).isZero();
        assertThat(f.responseOverhead()).isZero();
    }

    @Test
    void parse_longScrapeInterval_staleBoundFollowsIt() {
        FleetSpec f = FleetSpec.parse("nodes: [{profile: H100}]\ntelemetry: {scrapeInterval: 5s}", "f");

        assertThat(f.staleAfter()).isEqualTo(Duration.ofSeconds(10));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(Named.of("no nodes", "model: m"), "f: nodes: missing"),
                Arguments.of(Named.of("unknown profile", "nodes: [{profile: B200}]"),
                        "nodes[0].profile: 'B200' (expected one of: H100, A100-80G, L40S, L4, T4, zero)"),
                Arguments.of(Named.of("zero count", "nodes: [{profile: L4, count: 0}]"),
                        "nodes[0].count: 0 (expected an integer 1..10000)"),
                Arguments.of(Named.of("unknown key in a group", "nodes: [{profile: L4, gpus: 2}]"),
                        "nodes[0].gpus: unknown key"),
                Arguments.of(Named.of("unknown top-level key", "nodes: [{profile: L4}]\nseed: 3"), "seed: unknown key"),
                Arguments.of(Named.of("bad duration", "nodes: [{profile: L4}]\ntelemetry: {scrapeInterval: fast}"),
                        "telemetry.scrapeInterval: \"fast\" (expected a duration like 500ms"),
                Arguments.of(Named.of("delay longer than the interval",
                                "nodes: [{profile: L4}]\ntelemetry: {scrapeInterval: 100ms, scrapeDelay: 200ms}"),
                        "telemetry.scrapeDelay: 200ms (expected at most telemetry.scrapeInterval, 100ms)"),
                Arguments.of(Named.of("stale bound under the interval",
                                "nodes: [{profile: L4}]\ntelemetry: {scrapeInterval: 1s, staleAfter: 500ms}"),
                        "telemetry.staleAfter: 500ms (expected at least telemetry.scrapeInterval, 1000ms)"),
                Arguments.of(Named.of("bad name", "nodes: [{profile: L4, name: Edge Nodes}]"), "nodes[0].name:"),
                Arguments.of(Named.of("not a mapping", "- a\n- b"), "expected a mapping"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void parse_invalid_messageNamesPathAndValue(String yaml, String message) {
        assertThatThrownBy(() -> FleetSpec.parse(yaml, "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void parse_severalProblems_allReportedAtOnce() {
        assertThatThrownBy(() -> FleetSpec.parse("""
                nodes:
                  - profile: B200
                  - profile: L4
                    count: -1
                overhead: {request: soon}
                """, "fleet.yaml"))
                .hasMessageStartingWith("fleet.yaml: ")
                .hasMessageContaining("nodes[0].profile: 'B200'")
                .hasMessageContaining("nodes[1].count: -1")
                .hasMessageContaining("overhead.request: \"soon\"");
    }
}
