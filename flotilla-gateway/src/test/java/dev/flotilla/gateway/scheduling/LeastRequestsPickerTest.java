package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastRequestsPickerTest {
    static final SchedulingRequest REQUEST = new SchedulingRequest(1, new InferenceRequest(Endpoint.COMPLETIONS, "m",
            null, "hi", false, false, null, 1.0, 1.0, null, List.of()), null, Instant.EPOCH);

    static NodeSnapshot node(String name, boolean up, Set<String> models, int outstanding) {
        return new NodeSnapshot(name, URI.create("http://127.0.0.1:1"), up, models, NodeFacts.UNKNOWN, outstanding,
                Instant.EPOCH, null);
    }

    private final LeastRequestsPicker picker = new LeastRequestsPicker();

    @Test
    void pick_noCandidates_empty() {
        assertThat(picker.pick(REQUEST, List.of(), new double[0])).isEqualTo(-1);
    }

    @Test
    void pick_differentLoads_fewestOutstandingWins() {
        List<NodeSnapshot> nodes = List.of(node("a", true, Set.of("m"), 3), node("b", true, Set.of("m"), 1),
                node("c", true, Set.of("m"), 2));
        for (int i = 0; i < 5; i++) {
            assertThat(nodes.get(picker.pick(REQUEST, nodes, new double[3])).name()).isEqualTo("b");
        }
    }

    @Test
    void pick_ties_rotateAmongTiedNodesOnly() {
        List<NodeSnapshot> nodes = List.of(node("a", true, Set.of("m"), 0), node("b", true, Set.of("m"), 5),
                node("c", true, Set.of("m"), 0));
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picked.add(nodes.get(picker.pick(REQUEST, nodes, new double[3])).name());
        }
        assertThat(picked).containsExactly("a", "c", "a", "c");
    }

    @Test
    void scheduler_filters_keepOnlyUpNodesServingTheModelAndNotTried() {
        Scheduler scheduler = Scheduler.of(SchedulingPlugins.builtIn(), LeastRequestsPicker.TYPE);
        List<NodeSnapshot> nodes = List.of(node("down", false, Set.of("m"), 0), node("other", true, Set.of("x"), 0),
                node("tried", true, Set.of("m"), 0), node("ok", true, Set.of("m"), 9));
        assertThat(scheduler.candidates(REQUEST, nodes, Set.of("tried"))).extracting(NodeSnapshot::name)
                .containsExactly("ok");
    }

    @Test
    void plugins_builtIn_listTypes() {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        assertThat(plugins.pickerTypes()).containsExactlyInAnyOrder("least-requests", "max-score", "weighted-random",
                "power-of-two", "round-robin", "sglang-cache-aware");
        assertThat(plugins.filterTypes()).containsExactlyInAnyOrder("healthy", "serves-model", "circuit-closed",
                "fits-memory", "fits-context");
        assertThat(plugins.scorerTypes()).containsExactlyInAnyOrder("queue-depth", "kv-cache", "in-flight-tokens",
                "inferops", "prefix-affinity", "session-affinity", "predicted-latency");
    }
}
