package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AffinityScorersTest {
    private static final String SYSTEM = "s".repeat(64 * 3); // three whole blocks of 64 characters
    private static final List<NodeSnapshot> NODES = Nodes.all(node("a"), node("b"));

    /** A clock tests move by hand. */
    static final class MutableClock extends Clock {
        Instant now = Nodes.NOW;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static Stream<Arguments> prefixCases() {
        return Stream.of(
                Arguments.of(Named.of("same prompt again: full match on a only", SYSTEM), SYSTEM + "tail",
                        new double[] {1, 0}),
                Arguments.of(Named.of("shares 3 of 4 blocks", SYSTEM), SYSTEM + "x".repeat(64),
                        new double[] {0.75, 0}),
                Arguments.of(Named.of("differs in the first block: no match, though later text is equal", SYSTEM),
                        "t" + SYSTEM.substring(1), new double[] {0, 0}),
                Arguments.of(Named.of("prompt shorter than a block: 0 everywhere", SYSTEM), "short",
                        new double[] {0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("prefixCases")
    void prefixAffinity_afterDispatchToA_scoresLeadingMatch(String sent, String prompt, double[] expected) {
        PrefixAffinityScorer scorer = new PrefixAffinityScorer(64, 1000);
        scorer.dispatched(Nodes.request(sent), NODES.get(0));
        double[] scores = new double[2];
        scorer.score(Nodes.request(prompt), NODES, scores);
        assertThat(scores).containsExactly(expected, within(1e-9));
    }

    @Test
    void prefixAffinity_promptLongerThanMaxBlocks_matchesAndIndexesOnlyTheFirstBlocks() {
        PrefixAffinityScorer scorer = PrefixAffinityScorer.create(new PluginParams("s", Map.of("maxBlocks", 4)),
                PluginContext.of(Clock.systemUTC(), 1));
        String start = "a".repeat(64 * 4);
        scorer.dispatched(Nodes.request(start + "b".repeat(64 * 6)), NODES.get(0));
        assertThat(scorer.index().size()).isEqualTo(4);
        double[] scores = new double[2];
        scorer.score(Nodes.request(start + "c".repeat(64 * 20)), NODES, scores);
        assertThat(scores).containsExactly(new double[] {1, 0}, within(1e-9)); // the first 4 blocks all match
    }

    @Test
    void prefixIndex_matchAfterPartialEviction_countsTheSurvivingStart() {
        PrefixIndex index = new PrefixIndex(6);
        long[] chain = {11, 12, 13, 14, 15, 16, 17, 18};
        index.record("a", chain); // 8 entries for a bound of 6: the chain's last two blocks went
        assertThat(index.matchedBlocks("a", chain)).isEqualTo(6);
        assertThat(index.matchedBlocks("a", chain, 3)).isEqualTo(3);
        assertThat(index.matchedBlocks("b", chain)).isZero();
        assertThat(index.matchedBlocks("a", new long[] {11, 12, 99, 14})).isEqualTo(2);
    }

    @Test
    void prefixIndex_longRandomTrace_staysWithinBoundAndKeepsRecentPrefixes() {
        int bound = 500;
        PrefixAffinityScorer scorer = new PrefixAffinityScorer(16, bound);
        List<NodeSnapshot> nodes = Nodes.all(node("n0"), node("n1"), node("n2"), node("n3"));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            String prompt = "p" + random.nextInt(300) + ":" + "x".repeat(16 * (1 + random.nextInt(12)));
            scorer.dispatched(Nodes.request(prompt), nodes.get(random.nextInt(4)));
            assertThat(scorer.index().size()).isLessThanOrEqualTo(bound);
        }
        int perNode = 0;
        for (NodeSnapshot n : nodes) {
            perNode += scorer.index().size(n.name());
        }
        assertThat(perNode).as("per-node counts add up to the entries").isEqualTo(scorer.index().size());
        assertThat(scorer.index().size()).isEqualTo(bound);

        String recent = "recent:" + "y".repeat(16 * 10);
        scorer.dispatched(Nodes.request(recent), nodes.get(2));
        for (int i = 0; i < bound / 4; i++) { // a quarter of the bound of other traffic
            scorer.dispatched(Nodes.request("other" + i + "z".repeat(32)), nodes.get(random.nextInt(4)));
        }
        double[] scores = new double[4];
        scorer.score(Nodes.request(recent), nodes, scores);
        assertThat(scores).containsExactly(new double[] {0, 0, 1, 0}, within(1e-9));
    }

    @Test
    void prefixIndex_fourThreadsRecordingAndMatching_boundAndCountsHold() throws Exception {
        PrefixIndex index = new PrefixIndex(1000);
        Concurrently.run(4, thread -> {
            SplittableRandom random = new SplittableRandom(thread);
            for (int i = 0; i < 5000; i++) {
                long[] hashes = random.longs(1 + random.nextInt(20), 0, 3000).toArray();
                index.record("n" + random.nextInt(3), hashes);
                index.matchedBlocks("n" + random.nextInt(3), hashes);
            }
        });
        assertThat(index.size()).isEqualTo(1000);
        assertThat(index.size("n0") + index.size("n1") + index.size("n2")).isEqualTo(1000);
    }

    @Test
    void prefixIndex_evictsOldestFirst_andAPrefixLosesItsEndBeforeItsStart() {
        PrefixIndex index = new PrefixIndex(4);
        index.record("a", new long[] {1, 2, 3});
        index.record("a", new long[] {9, 8});
        // 5 entries for a bound of 4: the oldest, block 3 (the end of the first prompt), went first
        assertThat(index.matchedBlocks("a", new long[] {1, 2, 3})).isEqualTo(2);
        assertThat(index.matchedBlocks("a", new long[] {9, 8})).isEqualTo(2);
        assertThat(index.size()).isEqualTo(4);
    }

    static Stream<Arguments> sessionCases() {
        return Stream.of(
                Arguments.of(Named.of("same session within ttl: last node 1", "s1"), Duration.ofMinutes(1), "s1",
                        new double[] {0, 1}),
                Arguments.of(Named.of("other session: all 0", "s1"), Duration.ofMinutes(1), "s2",
                        new double[] {0, 0}),
                Arguments.of(Named.of("no session key: all 0", "s1"), Duration.ofMinutes(1), null,
                        new double[] {0, 0}),
                Arguments.of(Named.of("expired after ttl: all 0", "s1"), Duration.ofMinutes(11), "s1",
                        new double[] {0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sessionCases")
    void sessionAffinity_case_scores(String sent, Duration later, String asked, double[] expected) {
        MutableClock clock = new MutableClock();
        SessionAffinityScorer scorer = SessionAffinityScorer.create(new PluginParams("s", Map.of("ttl", "10m")),
                PluginContext.of(clock, 1));
        scorer.dispatched(Nodes.request("hi", sent, null), NODES.get(1));
        clock.now = clock.now.plus(later);
        double[] scores = new double[2];
        scorer.score(Nodes.request("hi", asked, null), NODES, scores);
        assertThat(scores).containsExactly(expected, within(1e-9));
    }

    @Test
    void sessionAffinity_moreSessionsThanBound_forgetsLeastRecent() {
        SessionAffinityScorer scorer = SessionAffinityScorer.create(new PluginParams("s", Map.of("maxSessions", 3)),
                PluginContext.of(Clock.fixed(Nodes.NOW, ZoneId.of("UTC")), 1));
        for (int i = 0; i < 10; i++) {
            scorer.dispatched(Nodes.request("hi", "s" + i, null), NODES.get(i % 2));
        }
        assertThat(scorer.size()).isEqualTo(3);
        double[] scores = new double[2];
        scorer.score(Nodes.request("hi", "s9", null), NODES, scores);
        assertThat(scores).containsExactly(0, 1);
        scorer.score(Nodes.request("hi", "s0", null), NODES, scores);
        assertThat(scores).containsExactly(0, 0);
    }

    @Test
    void sessionAffinity_newDispatch_movesTheSession() {
        SessionAffinityScorer scorer = SessionAffinityScorer.create(PluginParams.none("s"),
                PluginContext.of(Clock.fixed(Nodes.NOW, ZoneId.of("UTC")), 1));
        SchedulingRequest r = Nodes.request("hi", "s", null);
        scorer.dispatched(r, NODES.get(1));
        scorer.dispatched(r, NODES.get(0));
        double[] scores = new double[2];
        scorer.score(r, NODES, scores);
        assertThat(scores).containsExactly(1, 0);
    }
}
