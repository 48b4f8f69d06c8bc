package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileNodeSyncTest {
    private final ManualClock clock = new ManualClock();
    private final List<GatewayConfig.Node> file = List.of(n("a", 9001), n("b", 9002));
    private final NodeRegistry registry = new NodeRegistry(file, clock);
    private final FileNodeSync sync = new FileNodeSync(registry, file, "gateway.yaml");

    private static GatewayConfig.Node n(String name, int port) {
        return new GatewayConfig.Node(name, "http://127.0.0.1:" + port);
    }

    private List<String> fleet() {
        return registry.snapshots().stream().map(s -> s.name() + ":" + s.baseUrl().getPort()).toList();
    }

    @Test
    void apply_nodeAddedAndNodeDeletedInTheFile_fleetFollowsInFileOrder() {
        List<String> report = sync.apply(List.of(n("a", 9001), n("c", 9003), n("d", 9004)));

        assertThat(report).containsExactly("node b removed", "node c added at http://127.0.0.1:9003",
                "node d added at http://127.0.0.1:9004");
        assertThat(fleet()).containsExactly("a:9001", "c:9003", "d:9004");
        assertThat(registry.snapshot("c").state()).isEqualTo(NodeState.STARTING);
    }

    @Test
    void apply_sameFileAgain_changesNothing() {
        assertThat(sync.apply(file)).isEmpty();
        assertThat(fleet()).containsExactly("a:9001", "b:9002");
    }

    @Test
    void apply_nodeAddedThroughTheApi_keptByEditsThatDoNotNameIt() {
        registry.add(n("x", 9009));

        sync.apply(List.of(n("a", 9001)));

        assertThat(fleet()).containsExactly("a:9001", "x:9009");
    }

    @Test
    void apply_fileDeclaresTheNameOfAnApiNode_fileWins() {
        registry.add(n("x", 9009));

        List<String> report = sync.apply(List.of(n("a", 9001), n("b", 9002), n("x", 9019)));

        assertThat(report).containsExactly("node x replaced by http://127.0.0.1:9019");
        assertThat(fleet()).containsExactly("a:9001", "b:9002", "x:9019");
        sync.apply(List.of(n("a", 9001), n("b", 9002)));
        assertThat(fleet()).as("the file owns it now").containsExactly("a:9001", "b:9002");
    }

    @Test
    void apply_urlChangedWhileRequestsInFlight_oldDrainsNewTakesItsPlace() {
        NodeRegistry.Lease lease = registry.acquire("a");

        List<String> report = sync.apply(List.of(n("a", 9011), n("b", 9002)));

        assertThat(report).containsExactly("node a to be replaced by http://127.0.0.1:9011 after its 1 request(s) in flight");
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.DRAINING);
        lease.release();
        assertThat(fleet()).containsExactly("a:9011", "b:9002");
    }

    @Test
    void apply_addRefusedBecauseAnApiNodeHasTheUrl_leftOutAndRetriedAtTheNextEdit() {
        registry.add(n("x", 9003));

        List<String> refused = sync.apply(List.of(n("a", 9001), n("b", 9002), n("c", 9003)));

        assertThat(refused).singleElement().asString().startsWith("node c not added: url: \"http://127.0.0.1:9003\"")
                .contains("node 'x' has it");
        assertThat(registry.snapshot("c")).isNull();
        assertThat(sync.declared()).extracting(GatewayConfig.Node::name).containsExactly("a", "b");

        registry.remove("x");
        sync.apply(List.of(n("a", 9001), n("b", 9002), n("c", 9003), n("d", 9004)));

        assertThat(fleet()).containsExactly("a:9001", "b:9002", "c:9003", "d:9004");
    }

    @Test
    void apply_fileNodeRemovedThroughTheApi_staysRemovedUntilItsEntryChanges() {
        registry.remove("b");

        sync.apply(List.of(n("a", 9001), n("b", 9002), n("c", 9003)));
        assertThat(fleet()).containsExactly("a:9001", "c:9003");

        sync.apply(List.of(n("a", 9001), new GatewayConfig.Node("b", "http://127.0.0.1:9002", "L4", 24, null),
                n("c", 9003)));
        assertThat(fleet()).containsExactly("a:9001", "c:9003", "b:9002");
        assertThat(registry.snapshot("b").facts()).isEqualTo(new NodeFacts("L4", 24, null));
    }
}
