package dev.flotilla.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.observability.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NodeRegistryMembershipTest {
    private final ManualClock clock = new ManualClock();
    private final NodeRegistry registry = new NodeRegistry(
            List.of(node("a", 9001), new GatewayConfig.Node("b", "http://localhost:9002")), clock, Duration.ofSeconds(2),
            GatewayConfig.Health.defaults());
    private final List<MembershipEvent> events = new CopyOnWriteArrayList<>();
    private final List<NodeTransition> transitions = new CopyOnWriteArrayList<>();

    NodeRegistryMembershipTest() {
        registry.addMembershipListener(events::add);
        registry.addTransitionListener(transitions::add);
    }

    private static GatewayConfig.Node node(String name, int port) {
        return new GatewayConfig.Node(name, "http://127.0.0.1:" + port);
    }

    private List<String> names() {
        return registry.snapshots().stream().map(NodeSnapshot::name).toList();
    }

    private static String describe(MembershipEvent e) {
        return switch (e) {
            case MembershipEvent.Added a -> "added " + a.node() + " " + a.snapshot().baseUrl().getPort();
            case MembershipEvent.Removing r -> "removing " + r.node() + " in flight " + r.inFlight();
            case MembershipEvent.Removed r -> "removed " + r.node() + " " + r.last().baseUrl().getPort();
            case MembershipEvent.FactsChanged f -> "facts " + f.node();
        };
    }

    @Test
    void add_newNode_appendedStartingOutOfRotationAndAnnounced() {
        clock.advance(Duration.ofSeconds(5));
        AddResult result = registry.add(new GatewayConfig.Node("c", "http://127.0.0.1:9003", "L4", 24, 121.0));

        NodeSnapshot c = ((AddResult.Added) result).snapshot();
        assertThat(c.state()).isEqualTo(NodeState.STARTING);
        assertThat(c.up()).isFalse();
        assertThat(c.since()).isEqualTo(clock.instant());
        assertThat(c.facts()).isEqualTo(new NodeFacts("L4", 24, 121.0));
        assertThat(names()).containsExactly("a", "b", "c");
        assertThat(registry.names()).containsExactly("a", "b", "c");
        assertThat(registry.snapshot("c")).isEqualTo(c);
        assertThat(events).extracting(NodeRegistryMembershipTest::describe).containsExactly("added c 9003");

        registry.markUp("c", Set.of("m"));
        assertThat(registry.snapshot("c").state()).isEqualTo(NodeState.HEALTHY);
        assertThat(registry.modelsUp()).containsExactly("m");
    }

    @Test
    void add_existingName_rejectedNamingTheNodeAndNothingChanges() {
        AddResult result = registry.add(node("a", 9009));

        assertThat(result).isInstanceOfSatisfying(AddResult.Rejected.class, r -> {
            assertThat(r.conflict().kind()).isEqualTo(Conflict.Kind.NAME_TAKEN);
            assertThat(r.conflict().field()).isEqualTo("name");
            assertThat(r.conflict().message()).isEqualTo(
                    "name: \"a\" (expected a name no other node has; node 'a' exists at http://127.0.0.1:9001)");
        });
        assertThat(names()).containsExactly("a", "b");
        assertThat(events).isEmpty();
    }

    @Test
    void add_urlOfAnotherNodeSpelledDifferently_rejectedNamingTheHolder() {
        AddResult result = registry.add(new GatewayConfig.Node("c", "http://LOCALHOST:9002/"));

        assertThat(result).isInstanceOfSatisfying(AddResult.Rejected.class, r -> {
            assertThat(r.conflict().kind()).isEqualTo(Conflict.Kind.URL_TAKEN);
            assertThat(r.conflict().field()).isEqualTo("url");
            assertThat(r.conflict().value()).isEqualTo("http://LOCALHOST:9002/");
            assertThat(r.conflict().message()).isEqualTo(
                    "url: \"http://LOCALHOST:9002/\" (expected a URL no other node uses; node 'b' has it)");
        });
        assertThat(names()).containsExactly("a", "b");
    }

    @Test
    void remove_nothingInFlight_goneAtOnceAndAnnounced() {
        registry.markUp("b", Set.of("m"));

        RemoveResult result = registry.remove("b", "removed by the admin API");

        assertThat(result).isInstanceOfSatisfying(RemoveResult.Removed.class,
                r -> assertThat(r.last().state()).isEqualTo(NodeState.DRAINING));
        assertThat(names()).containsExactly("a");
        assertThat(registry.names()).containsExactly("a");
        assertThat(registry.snapshot("b")).isNull();
        assertThat(registry.size()).isEqualTo(1);
        assertThat(events).extracting(NodeRegistryMembershipTest::describe)
                .containsExactly("removing b in flight 0", "removed b 9002");
        assertThat(transitions).extracting(t -> t.node() + " " + t.to() + " " + t.reason())
                .endsWith("b DRAINING removed by the admin API");
        assertThat(registry.everServed("m")).as("only b served m").isFalse();
    }

    @Test
    void remove_requestsInFlight_outOfRotationAtOnceGoneAfterTheLastRelease() {
        registry.markUp("a", Set.of("m"));
        registry.markUp("b", Set.of("m"));
        NodeRegistry.Lease first = registry.acquire("b");
        NodeRegistry.Lease second = registry.acquire("b");

        RemoveResult result = registry.remove("b");

        assertThat(result).isInstanceOfSatisfying(RemoveResult.Pending.class, p -> {
            assertThat(p.inFlight()).isEqualTo(2);
            assertThat(p.snapshot().state()).isEqualTo(NodeState.DRAINING);
        });
        assertThat(registry.isRemoving("b")).isTrue();
        assertThat(registry.snapshot("b").state().routable()).isFalse();
        assertThat(registry.everServed("m")).isTrue();
        assertThat(registry.remove("b")).as("idempotent while pending").isInstanceOf(RemoveResult.Pending.class);
        assertThat(registry.drain("b", false).state()).as("undrain cannot bring it back").isEqualTo(NodeState.DRAINING);
        registry.markUp("b", Set.of("m"));
        assertThat(registry.snapshot("b").state()).as("checks keep it out").isEqualTo(NodeState.DRAINING);

        first.release();
        assertThat(names()).containsExactly("a", "b");
        second.release();
        assertThat(names()).containsExactly("a");
        assertThat(registry.isRemoving("b")).isFalse();
        assertThat(events).extracting(NodeRegistryMembershipTest::describe)
                .containsExactly("removing b in flight 2", "removed b 9002");
        assertThat(second.release()).isFalse();
        assertThat(registry.everServed("m")).as("a still serves m").isTrue();
    }

    @Test
    void remove_unknownName_unknownAndNothingAnnounced() {
        assertThat(registry.remove("zz")).isEqualTo(new RemoveResult.Unknown("zz"));
        assertThat(events).isEmpty();
    }

    @Test
    void add_nameOfANodeBeingRemoved_rejectedUntilItHasLeft() {
        NodeRegistry.Lease lease = registry.acquire("b");
        registry.remove("b");

        AddResult refused = registry.add(node("b", 9012));
        assertThat(refused).isInstanceOfSatisfying(AddResult.Rejected.class, r -> assertThat(r.conflict().message())
                .isEqualTo("name: \"b\" (expected a name no other node has; node 'b' is being removed with 1 request(s) "
                        + "in flight; add it again once it has left the fleet)"));

        lease.release();
        assertThat(registry.add(node("b", 9012))).isInstanceOf(AddResult.Added.class);
        assertThat(registry.snapshot("b").baseUrl().getPort()).isEqualTo(9012);
        assertThat(registry.snapshot("b").state()).isEqualTo(NodeState.STARTING);
    }

    @Test
    void eventsForARemovedNode_ignoredWithoutErrors() {
        registry.remove("b");

        registry.markUp("b", Set.of("x"));
        registry.checkFailed("b", "late check");
        registry.connectionFailed("b", "late connection");
        registry.requestFinished("b", true);
        registry.latencySample("b", "m", Duration.ofMillis(5));
        TelemetrySnapshot published = registry.publishTelemetry("b", t -> t);

        assertThat(published).isNull();
        assertThat(registry.snapshot("b")).isNull();
        assertThat(registry.drain("b", true)).isNull();
        assertThat(registry.errorRate("b")).isNaN();
        assertThat(registry.everServed("x")).isFalse();
        assertThatThrownBy(() -> registry.acquire("b")).hasMessage("no node named 'b' (known: [a])");
    }

    @Test
    void tryAcquire_nodeGoneOrReplacedSincePicked_emptyAndNothingCounted() {
        NodeSnapshot pickedA = registry.snapshot("a");
        NodeSnapshot pickedB = registry.snapshot("b");
        registry.remove("b");
        registry.replace(node("a", 9011));

        assertThat(registry.tryAcquire(pickedB)).isEmpty();
        assertThat(registry.tryAcquire(pickedA)).as("a is another server now").isEmpty();
        assertThat(registry.snapshot("a").outstanding()).isZero();
        Optional<NodeRegistry.Lease> lease = registry.tryAcquire(registry.snapshot("a"));
        assertThat(lease).isPresent();
        assertThat(registry.snapshot("a").outstanding()).isEqualTo(1);
    }

    @Test
    void membershipChanges_orderStaysConfigOrderWithNewNodesAppended() {
        registry.add(node("c", 9003));
        registry.add(node("d", 9004));
        registry.remove("b");
        registry.add(node("e", 9005));
        registry.replace(node("a", 9011));

        assertThat(names()).containsExactly("a", "c", "d", "e");
        assertThat(registry.snapshot("a").baseUrl().getPort()).isEqualTo(9011);
    }

    @Test
    void replace_sameUrlOtherFacts_updatedInPlaceHealthKept() {
        registry.markUp("a", Set.of("m"));
        NodeRegistry.Lease lease = registry.acquire("a");

        ReplaceResult result = registry.replace(new GatewayConfig.Node("a", "http://127.0.0.1:9001/", "H100", 80, 989.0));

        assertThat(result).isInstanceOfSatisfying(ReplaceResult.FactsUpdated.class, r -> {
            assertThat(r.snapshot().facts()).isEqualTo(new NodeFacts("H100", 80, 989.0));
            assertThat(r.snapshot().state()).isEqualTo(NodeState.HEALTHY);
            assertThat(r.snapshot().outstanding()).isEqualTo(1);
        });
        assertThat(registry.replace(new GatewayConfig.Node("a", "http://127.0.0.1:9001", "H100", 80, 989.0)))
                .isInstanceOf(ReplaceResult.Unchanged.class);
        assertThat(events).extracting(NodeRegistryMembershipTest::describe).containsExactly("facts a");
        lease.release();
        assertThat(registry.snapshot("a").outstanding()).isZero();
    }

    @Test
    void replace_newUrlWithRequestsInFlight_oldDrainsThenNewTakesItsPlaceStarting() {
        registry.markUp("a", Set.of("m"));
        NodeRegistry.Lease lease = registry.acquire("a");

        ReplaceResult result = registry.replace(node("a", 9011));

        assertThat(result).isInstanceOfSatisfying(ReplaceResult.Pending.class, p -> {
            assertThat(p.inFlight()).isEqualTo(1);
            assertThat(p.old().baseUrl().getPort()).isEqualTo(9001);
        });
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.DRAINING);
        assertThat(registry.add(node("c", 9011))).as("the new URL is spoken for").isInstanceOf(AddResult.Rejected.class);

        lease.release();

        NodeSnapshot a = registry.snapshot("a");
        assertThat(a.baseUrl().getPort()).isEqualTo(9011);
        assertThat(a.state()).isEqualTo(NodeState.STARTING);
        assertThat(a.outstanding()).isZero();
        assertThat(names()).containsExactly("a", "b");
        assertThat(events).extracting(NodeRegistryMembershipTest::describe)
                .containsExactly("removing a in flight 1", "removed a 9001", "added a 9011");
    }

    @Test
    void replace_urlOfAnotherNode_rejectedAndNothingChanges() {
        ReplaceResult result = registry.replace(new GatewayConfig.Node("a", "http://localhost:9002"));

        assertThat(result).isInstanceOfSatisfying(ReplaceResult.Rejected.class,
                r -> assertThat(r.conflict().kind()).isEqualTo(Conflict.Kind.URL_TAKEN));
        assertThat(registry.snapshot("a").state()).isEqualTo(NodeState.STARTING);
        assertThat(registry.replace(node("zz", 9009))).isEqualTo(new ReplaceResult.Unknown("zz"));
        assertThat(events).isEmpty();
    }

    @Test
    void remove_pendingReplacement_dropsTheReplacement() {
        NodeRegistry.Lease lease = registry.acquire("a");
        registry.replace(node("a", 9011));
        registry.remove("a");
        lease.release();

        assertThat(names()).containsExactly("b");
        assertThat(registry.add(node("c", 9011))).as("the URL is free again").isInstanceOf(AddResult.Added.class);
    }

    @Test
    void listenerThatThrows_othersStillHearAndTheChangeHappens() {
        NodeRegistry fresh = new NodeRegistry(List.of(), clock);
        List<String> heard = new ArrayList<>();
        fresh.addMembershipListener(e -> {
            throw new IllegalStateException("boom");
        });
        fresh.addMembershipListener(e -> heard.add(e.node()));

        assertThat(fresh.add(node("a", 9001))).isInstanceOf(AddResult.Added.class);
        assertThat(heard).containsExactly("a");
    }

    @Test
    void metrics_removedNode_everySeriesLabelledWithItGoesNewNodeGetsItsCounter() {
        GatewayMetrics metrics = new GatewayMetrics(registry);
        registry.markUp("b", Set.of("m"));
        metrics.record("m", "b", Outcome.OK, 0.1);
        metrics.record("m", "a", Outcome.OK, 0.1);
        metrics.recordScrape("b", 0.01, false);
        assertThat(metrics.scrape()).contains("node=\"b\"");

        registry.remove("b");
        registry.add(node("c", 9003));

        String text = metrics.scrape();
        assertThat(text).doesNotContain("node=\"b\"")
                .contains("flotilla_requests_total{model=\"m\",node=\"a\",outcome=\"ok\"} 1.0")
                .contains("flotilla_scrape_failures_total{node=\"c\"} 0.0")
                .contains("flotilla_node_state{node=\"c\",state=\"starting\"} 1.0");
    }

    @Test
    void concurrentAcquireAndRemove_everyLeaseReleased_nodeLeavesAndNoCountIsLost() throws Exception {
        registry.markUp("b", Set.of("m"));
        NodeSnapshot picked = registry.snapshot("b");
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger counted = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                go.await();
                // until the node has left (the bound only stops a broken registry from spinning forever)
                for (int i = 0; i < 100_000_000; i++) {
                    Optional<NodeRegistry.Lease> lease = registry.tryAcquire(picked);
                    if (lease.isEmpty()) {
                        return null;
                    }
                    counted.incrementAndGet();
                    lease.get().release();
                }
                return null;
            }));
        }
        go.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> counted.get() > 1_000);
        RemoveResult removal = registry.remove("b");
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(removal).isNotInstanceOf(RemoveResult.Unknown.class);
        assertThat(counted.get()).isPositive();
        assertThat(registry.snapshot("b")).as("the last release let it leave").isNull();
        assertThat(events).extracting(NodeRegistryMembershipTest::describe)
                .containsExactly("removing b in flight " + ((MembershipEvent.Removing) events.get(0)).inFlight(),
                        "removed b 9002");
        assertThat(((MembershipEvent.Removed) events.get(1)).last().outstanding()).isZero();
    }
}
