package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The primitive-array {@link PrefixIndex} against a plain reference (an access-ordered
 * {@link LinkedHashMap} of (node, hash) pairs with the same bound, the index's former layout), over
 * long random traces of hash chains; its memory bound as nodes come and go; and its bulk match
 * under concurrent use.
 */
class PrefixIndexTest {

    /** The reference: what the index must answer, in the simplest form. */
    private static final class Reference {
        private record Key(String node, long hash) {
        }

        private final Map<String, Integer> perNode = new HashMap<>();
        private final LinkedHashMap<Key, Boolean> lru;

        Reference(int bound) {
            lru = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
                    if (size() <= bound) {
                        return false;
                    }
                    perNode.computeIfPresent(eldest.getKey().node(), (k, v) -> v == 1 ? null : v - 1);
                    return true;
                }
            };
        }

        void record(String node, long[] hashes, int limit) {
            for (int i = Math.min(limit, hashes.length) - 1; i >= 0; i--) {
                if (lru.putIfAbsent(new Key(node, hashes[i]), Boolean.TRUE) == null) {
                    perNode.merge(node, 1, Integer::sum);
                }
            }
        }

        /** The leading run of blocks present, block by block. */
        int matched(String node, long[] hashes, int limit) {
            int n = Math.min(limit, hashes.length);
            int b = 0;
            while (b < n && lru.containsKey(new Key(node, hashes[b]))) {
                b++;
            }
            return b;
        }
    }

    /** Prompts as hash chains: a shared start of one of {@code starts} kinds, then a random tail. */
    private static long[] chain(SplittableRandom random, int starts, int maxBlocks, boolean smallHashes) {
        int n = 1 + random.nextInt(maxBlocks);
        int shared = Math.min(n, 1 + random.nextInt(4));
        long[] out = new long[n];
        long h = smallHashes ? random.nextInt(starts) : 0x9E3779B97F4A7C15L * (1 + random.nextInt(starts));
        for (int i = 0; i < n; i++) {
            if (i >= shared) {
                h = h * 31 + (smallHashes ? random.nextInt(8) : random.nextLong());
            } else {
                h = h * 31 + i;
            }
            out[i] = h;
        }
        return out;
    }

    static Stream<Arguments> traces() {
        return Stream.of(
                Arguments.of(Named.of("tiny bound, few nodes, spread hashes", 7), 3, 6, false),
                Arguments.of(Named.of("small bound, many nodes, spread hashes", 60), 40, 12, false),
                Arguments.of(Named.of("small bound, small colliding hashes", 50), 8, 10, true),
                Arguments.of(Named.of("large bound, long chains", 2_000), 16, 64, false));
    }

    @ParameterizedTest
    @MethodSource("traces")
    void record_longRandomTrace_answersAsTheReferenceDoes(int bound, int nodeCount, int maxBlocks, boolean small) {
        PrefixIndex index = new PrefixIndex(bound);
        Reference reference = new Reference(bound);
        List<NodeSnapshot> nodes = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            nodes.add(node("n" + i).build());
        }
        SplittableRandom random = new SplittableRandom(bound);
        double[] bulk = new double[nodeCount];
        for (int step = 0; step < 6_000; step++) {
            long[] hashes = chain(random, 12, maxBlocks, small);
            int limit = random.nextInt(4) == 0 ? 1 + random.nextInt(maxBlocks) : Integer.MAX_VALUE;
            String target = nodes.get(random.nextInt(nodeCount)).name();
            index.record(target, hashes, limit);
            reference.record(target, hashes, limit);
            assertThat(index.size()).isEqualTo(reference.lru.size());
            assertThat(index.size(target)).isEqualTo(reference.perNode.getOrDefault(target, 0));

            long[] probe = chain(random, 12, maxBlocks, small);
            int probeLimit = 1 + random.nextInt(maxBlocks);
            index.matchedBlocks(nodes, probe, probeLimit, bulk);
            for (int i = 0; i < nodeCount; i++) {
                String name = nodes.get(i).name();
                int expected = reference.matched(name, probe, probeLimit);
                assertThat(bulk[i]).as("bulk match of %s at step %d", name, step).isEqualTo(expected);
                if (!small) { // the binary search relies on chains without colliding hashes
                    assertThat(index.matchedBlocks(name, probe, probeLimit)).as("match of %s at step %d", name, step)
                            .isEqualTo(expected);
                }
            }
        }
        for (NodeSnapshot n : nodes) {
            assertThat(index.size(n.name())).isEqualTo(reference.perNode.getOrDefault(n.name(), 0));
        }
    }

    @Test
    void record_nodesComingAndGoingOverALongTrace_memoryStaysBounded() {
        int bound = 300;
        PrefixIndex index = new PrefixIndex(bound);
        SplittableRandom random = new SplittableRandom(7);
        int maxBlocks = 40;
        for (int step = 0; step < 50_000; step++) {
            // a rolling fleet: node names drift, so old names must give back their ids
            String node = "node-" + (step / 500 + random.nextInt(20));
            index.record(node, chain(random, 50, maxBlocks, false));
            if (step % 1_000 == 999) {
                PrefixIndex.Footprint f = index.footprint();
                assertThat(index.size()).isEqualTo(bound);
                assertThat(f.entrySlots()).as("entry slots").isLessThanOrEqualTo(bound + 1);
                assertThat(f.setSlots()).as("hash sets").isLessThanOrEqualTo(bound + 1);
                assertThat(f.tableSlots()).as("table slots").isLessThanOrEqualTo(4 * (bound + 1));
                assertThat(f.liveIds()).as("ids of nodes holding entries").isLessThanOrEqualTo(20);
                assertThat(f.idSlots()).as("id slots").isLessThanOrEqualTo(64);
                // each live set keeps at most twice its members; a freed one at most a small array
                assertThat(f.setElements()).as("node-array elements").isLessThanOrEqualTo(4L * (bound + 1));
            }
        }
    }

    @Test
    void matchedBlocks_bulk_unknownNodesAndEmptyPromptsScoreZero() {
        PrefixIndex index = new PrefixIndex(100);
        List<NodeSnapshot> nodes = Nodes.all(node("a"), node("b"), node("never"));
        index.record("a", new long[] {1, 2, 3, 4});
        index.record("b", new long[] {1, 2, 9});
        double[] matched = new double[3];
        index.matchedBlocks(nodes, new long[] {1, 2, 3, 4, 5}, 10, matched);
        assertThat(matched).containsExactly(4, 2, 0);
        index.matchedBlocks(nodes, new long[] {1, 2, 3, 4, 5}, 3, matched);
        assertThat(matched).containsExactly(3, 2, 0);
        index.matchedBlocks(nodes, new long[0], 10, matched);
        assertThat(matched).containsExactly(0, 0, 0);
        index.matchedBlocks(nodes, new long[] {7, 1}, 10, matched);
        assertThat(matched).as("a prompt whose first block nobody holds").containsExactly(0, 0, 0);
    }

    @Test
    void matchedBlocks_fourThreadsRecordingAndMatchingInBulk_boundCountsAndAnswersHold() throws Exception {
        int bound = 1_000;
        PrefixIndex index = new PrefixIndex(bound);
        List<NodeSnapshot> nodes = Nodes.all(node("n0"), node("n1"), node("n2"), node("n3"), node("n4"));
        Concurrently.run(4, thread -> {
            SplittableRandom random = new SplittableRandom(thread);
            double[] matched = new double[nodes.size()];
            for (int i = 0; i < 5_000; i++) {
                long[] hashes = chain(random, 30, 20, false);
                index.record(nodes.get(random.nextInt(nodes.size())).name(), hashes, Integer.MAX_VALUE);
                index.matchedBlocks(nodes, hashes, hashes.length, matched);
                for (double m : matched) {
                    assertThat(m).isBetween(0.0, (double) hashes.length);
                }
            }
        });
        assertThat(index.size()).isEqualTo(bound);
        int sum = 0;
        for (NodeSnapshot n : nodes) {
            sum += index.size(n.name());
        }
        assertThat(sum).isEqualTo(bound);
        // after the threads, bulk and single answers agree (nothing was corrupted by interleaving)
        SplittableRandom random = new SplittableRandom(99);
        double[] matched = new double[nodes.size()];
        for (int i = 0; i < 500; i++) {
            long[] probe = chain(random, 30, 20, false);
            index.matchedBlocks(nodes, probe, probe.length, matched);
            for (int k = 0; k < nodes.size(); k++) {
                assertThat(matched[k]).isEqualTo(index.matchedBlocks(nodes.get(k).name(), probe));
            }
        }
    }
}
