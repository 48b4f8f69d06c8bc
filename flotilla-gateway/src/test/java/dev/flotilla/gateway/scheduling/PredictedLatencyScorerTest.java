package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.PredictedLatencyScorer.Prediction;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PredictedLatencyScorerTest {
    /** A node's true timings: prefill base + per token, decode base + per concurrent request. */
    record Timing(double prefillBaseMs, double prefillMsPerToken, double decodeBaseMs, double decodeMsPerRequest) {
        double ttftMs(int tokens) {
            return prefillBaseMs + prefillMsPerToken * tokens;
        }

        double perTokenMs(int batch) {
            return decodeBaseMs + decodeMsPerRequest * batch;
        }
    }

    static final Timing FAST = new Timing(5, 0.1, 10, 2);
    static final Timing SLOW = new Timing(10, 0.2, 20, 4);

    private static PredictedLatencyScorer scorer(Map<String, Object> params) {
        return PredictedLatencyScorer.create(new PluginParams("s", params), PluginContext.of(Clock.systemUTC(), 1));
    }

    /** Dispatches and completes {@code count} synthetic requests on one node with its true timings. */
    static void feed(PredictedLatencyScorer scorer, String name, Timing t, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            int tokens = 50 + random.nextInt(4000);
            int outstanding = random.nextInt(8);
            int generated = 10 + random.nextInt(200);
            SchedulingRequest r = Nodes.request("p".repeat(tokens * 4));
            scorer.dispatched(r, node(name).outstanding(outstanding).build());
            double ttft = t.ttftMs(tokens);
            double duration = ttft + (generated - 1) * t.perTokenMs(outstanding + 1);
            scorer.finished(r, name, new Completion(Completion.Outcome.SUCCESS, tokens, generated,
                    Math.round(ttft * 1e6), Math.round(duration * 1e6)));
        }
    }

    @Test
    void predict_afterSyntheticCompletions_matchesTrueTimingsAndPrefersFasterNode() {
        PredictedLatencyScorer scorer = scorer(Map.of("target", "e2e"));
        feed(scorer, "fast", FAST, 200, 1);
        feed(scorer, "slow", SLOW, 200, 2);
        List<NodeSnapshot> nodes = Nodes.all(node("fast").outstanding(3), node("slow").outstanding(3));
        SchedulingRequest r = Nodes.request("q".repeat(4000), null, 50); // 1000 tokens, 50 out, batch 4
        for (int i = 0; i < 2; i++) {
            Timing t = i == 0 ? FAST : SLOW;
            Prediction p = scorer.predict(r, nodes.get(i), nodes);
            double ttft = t.ttftMs(1000);
            assertThat(p.ttftMs()).as("ttft of %s", t).isCloseTo(ttft, within(ttft * 0.03));
            double e2e = ttft + 49 * t.perTokenMs(4);
            assertThat(p.e2eMs()).as("e2e of %s", t).isCloseTo(e2e, within(e2e * 0.03));
        }
        double[] scores = new double[2];
        scorer.score(r, nodes, scores);
        assertThat(scores[0]).isEqualTo(1);
        assertThat(scores[1]).isCloseTo(0.5, within(0.02)); // twice as slow
        assertThat(scorer.pendingCount()).isZero();
    }

    @Test
    void predict_fromSeveralThreads_fitsTheSame() throws Exception {
        PredictedLatencyScorer scorer = scorer(Map.of());
        // one node per thread: the synthetic timings are of requests alone on their node (requests
        // of two threads on one node would overlap, and the model counts the prompts in prefill together)
        Concurrently.run(4, thread -> feed(scorer, "fast-" + (thread + 1), FAST, 100, thread + 1));
        List<NodeSnapshot> nodes = Nodes.all(node("fast-1"), node("fast-2"), node("fast-3"), node("fast-4"));
        for (NodeSnapshot n : nodes) {
            Prediction p = scorer.predict(Nodes.request("q".repeat(8000), null, 20), n, nodes);
            assertThat(p.ttftMs()).as(n.name()).isCloseTo(FAST.ttftMs(2000), within(FAST.ttftMs(2000) * 0.03));
        }
        assertThat(scorer.pendingCount()).isZero();
    }

    static Stream<Arguments> priorCases() {
        return Stream.of(
                Arguments.of(Named.of("ttft", "ttft")), Arguments.of(Named.of("e2e", "e2e")),
                Arguments.of(Named.of("blend", "blend")));
    }

    @ParameterizedTest(name = "target {0}")
    @MethodSource("priorCases")
    void score_noSamples_priorScaledByTflops(String target) {
        PredictedLatencyScorer scorer = scorer(Map.of("target", target));
        List<NodeSnapshot> nodes = Nodes.all(node("big").facts(80, 200.0), node("small").facts(24, 100.0),
                node("unknown"));
        double[] scores = new double[3];
        scorer.score(Nodes.request("q".repeat(2000)), nodes, scores);
        // mean tflops 150: big runs at 0.75 of the prior, small at 1.5, unknown at 1
        assertThat(scores).containsExactly(new double[] {1, 0.5, 0.75}, within(1e-9));
    }

    static Stream<Arguments> snapshotCases() {
        return Stream.of(
                Arguments.of(Named.of("one node: 1", Nodes.all(node("fast").outstanding(5))), new double[] {1}),
                Arguments.of(Named.of("equal nodes: all 1", Nodes.all(node("fast").outstanding(2),
                        node("fast").outstanding(2))), new double[] {1, 1}),
                Arguments.of(Named.of("stale telemetry: its waiting queue is ignored",
                        Nodes.all(node("fast"), node("fast").load(Nodes.Age.STALE, 0, 50, 0.9))),
                        new double[] {1, 1}),
                Arguments.of(Named.of("figures not reported (NaN): as if none",
                        Nodes.all(node("fast"), node("fast").load(Nodes.Age.FRESH, Nodes.NAN, Nodes.NAN, Nodes.NAN))),
                        new double[] {1, 1}),
                Arguments.of(Named.of("fresh waiting queue: the queued node scores lower",
                        Nodes.all(node("fast"), node("fast").load(Nodes.Age.FRESH, 0, 50, 0.9))),
                        new double[] {1, -1}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("snapshotCases")
    void score_snapshots_scores(List<NodeSnapshot> nodes, double[] expected) {
        PredictedLatencyScorer scorer = scorer(Map.of());
        feed(scorer, "fast", FAST, 50, 6);
        double[] scores = new double[nodes.size()];
        scorer.score(Nodes.request("q".repeat(2000), null, 20), nodes, scores);
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] < 0) {
                assertThat(scores[i]).as("node %d", i).isLessThan(0.9).isPositive();
            } else {
                assertThat(scores[i]).as("node %d", i).isCloseTo(expected[i], within(1e-9));
            }
        }
    }

    @Test
    void predict_unseenNode_usesFleetAverageOfFittedNodes() {
        PredictedLatencyScorer scorer = scorer(Map.of());
        feed(scorer, "fast", FAST, 50, 3);
        List<NodeSnapshot> nodes = Nodes.all(node("fast"), node("new"));
        SchedulingRequest r = Nodes.request("q".repeat(4000), null, 10);
        Prediction known = scorer.predict(r, nodes.get(0), nodes);
        Prediction unseen = scorer.predict(r, nodes.get(1), nodes);
        assertThat(unseen.ttftMs()).isCloseTo(known.ttftMs(), within(1e-6));
        assertThat(unseen.e2eMs()).isCloseTo(known.e2eMs(), within(1e-6));
    }

    @Test
    void finished_failuresAndCancellations_doNotTeachTheModel() {
        PredictedLatencyScorer scorer = scorer(Map.of());
        feed(scorer, "fast", FAST, 50, 4);
        List<NodeSnapshot> nodes = Nodes.all(node("fast"));
        SchedulingRequest probe = Nodes.request("q".repeat(4000), null, 10);
        Prediction before = scorer.predict(probe, nodes.get(0), nodes);
        for (Completion.Outcome o : List.of(Completion.Outcome.ERROR, Completion.Outcome.TIMEOUT,
                Completion.Outcome.CANCELLED, Completion.Outcome.REJECTED)) {
            for (int i = 0; i < 20; i++) {
                SchedulingRequest r = Nodes.request("q".repeat(400));
                scorer.dispatched(r, nodes.get(0));
                scorer.finished(r, "fast", new Completion(o, 100, 5, 60_000_000_000L, 90_000_000_000L));
            }
        }
        Prediction after = scorer.predict(probe, nodes.get(0), nodes);
        assertThat(after.ttftMs()).isCloseTo(before.ttftMs(), within(1e-9));
        assertThat(scorer.pendingCount()).isZero();
    }

    @Test
    void predict_queueAhead_addsPrefillOfWaitingRequests() {
        PredictedLatencyScorer scorer = scorer(Map.of("target", "ttft"));
        feed(scorer, "fast", FAST, 100, 5);
        List<NodeSnapshot> nodes = Nodes.all(node("fast"), node("fast").load(Nodes.Age.FRESH, 2, 5, 0.5));
        SchedulingRequest r = Nodes.request("q".repeat(400));
        Prediction idle = scorer.predict(r, nodes.get(0), nodes);
        Prediction queued = scorer.predict(r, nodes.get(1), nodes);
        assertThat(queued.ttftMs()).isGreaterThan(idle.ttftMs() + 5 * 0.1 * 50); // at least 5 short prompts ahead
    }

    @Test
    void predict_gatewayQueueBeyondSeenSlots_countsQueueEvenWithStaleTelemetry() {
        PredictedLatencyScorer scorer = scorer(Map.of("target", "ttft"));
        feed(scorer, "busy", FAST, 100, 7);
        feed(scorer, "idle", FAST, 100, 7);
        // "busy" was once seen saturated: 4 running while 3 waited, so it has 4 slots
        scorer.dispatched(Nodes.request("x".repeat(400)), node("busy").load(Nodes.Age.FRESH, 4, 3, 0.9).build());
        // now its telemetry is stale, but this gateway has 12 requests outstanding there: 9 queue
        List<NodeSnapshot> nodes = Nodes.all(node("busy").outstanding(12).load(Nodes.Age.STALE, 4, 3, 0.9),
                node("idle").outstanding(2).load(Nodes.Age.STALE, 2, 0, 0.1));
        SchedulingRequest r = Nodes.request("q".repeat(400));

        Prediction busy = scorer.predict(r, nodes.get(0), nodes);
        Prediction idle = scorer.predict(r, nodes.get(1), nodes);

        // each queued request waits a service time / 4 slots: far beyond the 15 ms prefill of 100 tokens
        assertThat(idle.ttftMs()).isCloseTo(FAST.ttftMs(100), org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(busy.ttftMs()).isGreaterThan(idle.ttftMs() + 9 * FAST.ttftMs(100) / 4);
        double[] scores = new double[2];
        scorer.score(r, nodes, scores);
        assertThat(scores[1]).isEqualTo(1.0);
        assertThat(scores[0]).isLessThan(0.5);
    }

    @Test
    void predict_promptsStillInPrefill_delayTheNextPromptsFirstTokenUntilTheyAreDone() {
        PredictedLatencyScorer scorer = scorer(Map.of("target", "ttft"));
        feed(scorer, "a", FAST, 100, 3);
        feed(scorer, "b", FAST, 100, 3);
        // two prompts of 2,000 tokens just sent to "a": about 205 ms of prefill each, not finished
        SchedulingRequest first = Nodes.request("p".repeat(8_000));
        SchedulingRequest second = Nodes.request("s".repeat(8_000));
        scorer.dispatched(first, node("a").outstanding(0).build());
        scorer.dispatched(second, node("a").outstanding(1).build());
        List<NodeSnapshot> nodes = Nodes.all(node("a").outstanding(2), node("b"));
        SchedulingRequest next = Nodes.request("q".repeat(400));

        Prediction onA = scorer.predict(next, nodes.get(0), nodes);
        Prediction onB = scorer.predict(next, nodes.get(1), nodes);

        assertThat(onB.ttftMs()).isCloseTo(FAST.ttftMs(100), org.assertj.core.data.Percentage.withPercentage(10));
        // prefilled together with the 4,000 tokens ahead of it
        assertThat(onA.ttftMs()).isCloseTo(FAST.ttftMs(4_100), org.assertj.core.data.Percentage.withPercentage(10));
        // once they have finished, "a" is as good as "b" again
        scorer.finished(first, "a", new Completion(Completion.Outcome.CANCELLED, -1, -1, -1, 1));
        scorer.finished(second, "a", new Completion(Completion.Outcome.CANCELLED, -1, -1, -1, 1));
        assertThat(scorer.predict(next, nodes.get(0), nodes).ttftMs()).isCloseTo(onB.ttftMs(),
                org.assertj.core.data.Percentage.withPercentage(1));
    }

    @Test
    void predict_nodeUntaughtForForgetAfter_predictedLikeAnUnseenNodeAgain() {
        PredictedLatencyScorer scorer = scorer(Map.of("target", "ttft", "forgetAfter", "30s"));
        feed(scorer, "slow", new Timing(5_000, 1, 10, 2), 20, 4); // frozen for a while: 5 s first tokens
        feed(scorer, "fast", FAST, 20, 4);
        List<NodeSnapshot> nodes = Nodes.all(node("slow"), node("fast"));
        InferenceRequest body = Nodes.request("q".repeat(400)).request();

        Prediction now = scorer.predict(Nodes.request("q".repeat(400)), nodes.get(0), nodes);
        Prediction later = scorer.predict(new SchedulingRequest(1_000_000, body, null, Nodes.NOW.plusSeconds(60)),
                nodes.get(0), nodes);

        assertThat(now.ttftMs()).isGreaterThan(5_000);
        // a minute later, with no completion since, "slow" gets the fleet's prior: tried again
        assertThat(later.ttftMs()).isLessThan(1_000);
    }
}
