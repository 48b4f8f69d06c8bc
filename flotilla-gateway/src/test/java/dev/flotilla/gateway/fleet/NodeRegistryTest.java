package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.gateway.config.GatewayConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeRegistryTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private final NodeRegistry registry = new NodeRegistry(List.of(new GatewayConfig.Node("a", "http://127.0.0.1:1",
            "H100", 80, 989.0)), clock);

    @Test
    void newRegistry_nodeDownUntilChecked_factsFromConfig() {
        NodeSnapshot a = registry.snapshot("a");
        assertThat(a.up()).isFalse();
        assertThat(a.facts()).isEqualTo(new NodeFacts("H100", 80, 989.0));
        assertThat(a.since()).isEqualTo(clock.instant());
    }

    @Test
    void lease_releasedTwice_countsDownOnce() {
        NodeRegistry.Lease first = registry.acquire("a");
        registry.acquire("a");
        assertThat(registry.snapshot("a").outstanding()).isEqualTo(2);
        assertThat(first.release()).isTrue();
        assertThat(first.release()).isFalse();
        assertThat(registry.snapshot("a").outstanding()).isEqualTo(1);
    }

    @Test
    void markDown_keepsModelsKnown_upUnionOnlyFromUpNodes() {
        registry.markUp("a", Set.of("m"));
        assertThat(registry.modelsUp()).containsExactly("m");
        registry.markDown("a", "refused");
        assertThat(registry.modelsUp()).isEmpty();
        assertThat(registry.everServed("m")).isTrue();
        assertThat(registry.snapshot("a").lastError()).isEqualTo("refused");
    }

    @Test
    void acquire_unknownNode_namesKnownNodes() {
        assertThatThrownBy(() -> registry.acquire("zz")).hasMessage("no node named 'zz' (known: [a])");
    }
}
