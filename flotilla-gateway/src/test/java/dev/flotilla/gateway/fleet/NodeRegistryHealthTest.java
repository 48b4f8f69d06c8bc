package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.observability.GatewayMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeRegistryHealthTest {
    private final ManualClock clock = new ManualClock();
    private final NodeRegistry registry = new NodeRegistry(
            List.of(new GatewayConfig.Node("a", "http://127.0.0.1:9001"), new GatewayConfig.Node("b", "http://127.0.0.1:9002")),
            clock, Duration.ofSeconds(2), GatewayConfig.Health.defaults());

    @Test
    void newRegistry_nodesStarting_notUp() {
        assertThat(registry.snapshots()).extracting(NodeSnapshot::state).containsOnly(NodeState.STARTING);
        assertThat(registry.upCount()).isZero();
    }

    @Test
    void events_transitions_publishedToListenersAndSnapshot() {
        List<NodeTransition> seen = new ArrayList<>();
        registry.addTransitionListener(seen::add);
        registry.markUp("a", Set.of("m"));
        clock.advance(Duration.ofSeconds(1));
        registry.requestFinished("a", true);
        registry.requestFinished("a", true);
        registry.requestFinished("a", true);
        assertThat(seen).extracting(t -> t.from() + ">" + t.to())
                .containsExactly("STARTING>HEALTHY", "HEALTHY>UNHEALTHY");
        NodeSnapshot a = registry.snapshot("a");
        assertThat(a.state()).isEqualTo(NodeState.UNHEALTHY);
        assertThat(a.up()).isFalse();
        assertThat(a.since()).isEqualTo(clock.instant());
        assertThat(a.lastError()).isEqualTo("3 consecutive failed requests");
        assertThat(a.models()).containsExactly("m");
    }

    @Test
    void markUp_contextLengths_keptThroughLoadAndFailedChecksReplacedByTheNextCheck() {
        registry.markUp("a", Set.of("m", "n"), Map.of("m", 4096));
        assertThat(registry.snapshot("a").contextLength("m")).isEqualTo(4096);
        assertThat(registry.snapshot("a").contextLength("n")).as("n: not stated, unknown").isNull();
        registry.requestFinished("a", true);
        registry.checkFailed("a", "timeout");
        assertThat(registry.snapshot("a").contextLengths()).isEqualTo(Map.of("m", 4096));
        registry.markUp("a", Set.of("m"), Map.of("m", 2048));
        assertThat(registry.snapshot("a").contextLength("m")).isEqualTo(2048);
        registry.markUp("a", Set.of("m"));
        assertThat(registry.snapshot("a").contextLength("m")).as("a check without max_model_len: unknown again")
                .isNull();
    }

    @Test
    void drain_knownNode_drainingKeptAcrossChecksAndOutOfModelsUp() {
        registry.markUp("a", Set.of("m"));
        registry.markUp("b", Set.of("m2"));
        NodeSnapshot drained = registry.drain("a", true);
        registry.markUp("a", Set.of("m"));
        assertThat(drained.state()).isEqualTo(NodeState.DRAINING);
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.DRAINING);
        assertThat(registry.snapshot("a").up()).isTrue();
        assertThat(registry.modelsUp()).containsExactly("m2");
        assertThat(registry.drain("a", false).state()).isEqualTo(NodeState.HEALTHY);
        assertThat(registry.modelsUp()).containsExactly("m", "m2");
    }

    @Test
    void markUp_unhealthyNodeOnePassedCheck_keepsReasonUntilBack() {
        registry.markUp("a", Set.of("m"));
        registry.connectionFailed("a", "refused");
        registry.markUp("a", Set.of("m"));
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.UNHEALTHY);
        assertThat(registry.snapshot("a").lastError()).isEqualTo("refused");
        registry.markUp("a", Set.of("m"));
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.HEALTHY);
        assertThat(registry.snapshot("a").lastError()).isNull();
    }

    @Test
    void drain_unknownNode_null() {
        assertThat(registry.drain("zz", true)).isNull();
    }

    @Test
    void checkFailed_reasonKeptAsLastError() {
        registry.markUp("a", Set.of("m"));
        registry.checkFailed("a", "health check: timeout");
        assertThat(registry.snapshot("a").lastError()).isEqualTo("health check: timeout");
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.UNHEALTHY);
    }

    @Test
    void metrics_stateGaugeAndTransitionCounter() {
        GatewayMetrics metrics = new GatewayMetrics(registry);
        registry.markUp("a", Set.of("m"));
        registry.connectionFailed("a", "refused");
        registry.markUp("a", Set.of("m"));
        registry.markUp("a", Set.of("m"));
        String text = metrics.scrape();
        assertThat(text)
                .contains("flotilla_node_state{node=\"a\",state=\"healthy\"} 1.0")
                .contains("flotilla_node_state{node=\"a\",state=\"unhealthy\"} 0.0")
                .contains("flotilla_node_state{node=\"b\",state=\"starting\"} 1.0")
                .contains("flotilla_node_state_transitions_total{from=\"starting\",node=\"a\",to=\"healthy\"} 1.0")
                .contains("flotilla_node_state_transitions_total{from=\"healthy\",node=\"a\",to=\"unhealthy\"} 1.0")
                .contains("flotilla_node_state_transitions_total{from=\"unhealthy\",node=\"a\",to=\"healthy\"} 1.0");
    }

    @Test
    void responseTimeSample_twentySamples_p95OfResponseTimesApartFromTimeToFirstToken() {
        registry.markUp("a", Set.of("m"));
        for (int i = 1; i <= 20; i++) {
            registry.responseTimeSample("a", "m", Duration.ofMillis(100L * i));
            registry.latencySample("a", "m", Duration.ofMillis(i));
        }
        assertThat(registry.p95ResponseTimeMillis("a", "m")).isEqualTo(1900.0);
        assertThat(registry.p95TimeToFirstTokenMillis("a", "m")).as("a separate window").isEqualTo(19.0);
        assertThat(registry.p95ResponseTimeMillis("b", "m")).as("no samples").isNaN();
        clock.advance(GatewayConfig.Health.defaults().outlierWindow().plusSeconds(1));
        assertThat(registry.p95ResponseTimeMillis("a", "m")).as("samples out of the window").isNaN();
    }
}
