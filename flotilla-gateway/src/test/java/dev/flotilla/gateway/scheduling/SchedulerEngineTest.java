package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.RequestObserver;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine with test plugins: a scorer that answers fixed scores per node (from its params), a
 * picker that keeps the totals it was given and picks the highest, an observer scorer.
 */
class SchedulerEngineTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    /** Scores from the params: key = node name, value = score ("nan" for NaN). */
    static final class FixedScorer implements Scorer {
        private final Map<String, Object> scores;

        FixedScorer(Map<String, Object> scores) {
            this.scores = scores;
        }

        @Override
        public String type() {
            return "fixed";
        }

        @Override
        public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
            for (int i = 0; i < candidates.size(); i++) {
                Object v = this.scores.get(candidates.get(i).name());
                scores[i] = v instanceof Number n ? n.doubleValue() : Double.NaN;
            }
        }
    }

    /** Keeps a copy of the totals it got; picks the highest (first on ties). */
    static final class RecordingPicker implements Picker {
        final List<double[]> seen = new ArrayList<>();

        @Override
        public String type() {
            return "recording";
        }

        @Override
        public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
            seen.add(totals.clone());
            int best = -1;
            for (int i = 0; i < totals.length; i++) {
                if (best < 0 || totals[i] > totals[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    /** Counts what it hears. */
    static final class ObservingScorer implements Scorer, RequestObserver {
        final List<String> heard = new ArrayList<>();

        @Override
        public String type() {
            return "observing";
        }

        @Override
        public void score(SchedulingRequest request, List<NodeSnapshot> candidates, double[] scores) {
            Arrays.fill(scores, 0.5);
        }

        @Override
        public synchronized void dispatched(SchedulingRequest request, NodeSnapshot node) {
            heard.add("dispatched " + node.name());
        }

        @Override
        public synchronized void finished(SchedulingRequest request, String node, Completion completion) {
            heard.add("finished " + node + " " + completion.outcome());
        }
    }

    private final RecordingPicker picker = new RecordingPicker();
    private final List<ObservingScorer> observers = new ArrayList<>();

    private SchedulingPlugins plugins() {
        SchedulingPlugins p = SchedulingPlugins.builtIn();
        p.registerScorer("fixed", (params, context) -> {
            Map<String, Object> scores = new java.util.HashMap<>();
            for (String node : List.of("a", "b", "c", "d")) {
                String s = params.string(node, null);
                if (s != null) {
                    scores.put(node, s.equals("nan") ? "nan" : Double.parseDouble(s));
                }
            }
            return new FixedScorer(scores);
        });
        p.registerScorer("observing", () -> {
            ObservingScorer o = new ObservingScorer();
            observers.add(o);
            return o;
        });
        p.registerPicker("recording", () -> picker);
        return p;
    }

    static NodeSnapshot node(String name, NodeState state, String model) {
        return new NodeSnapshot(name, URI.create("http://127.0.0.1:1"), true, Set.of(model), NodeFacts.UNKNOWN, 0,
                Instant.EPOCH, null, null, state);
    }

    static SchedulingRequest request(String model, Endpoint endpoint) {
        InferenceRequest r = new InferenceRequest(endpoint, model,
                endpoint == Endpoint.CHAT ? List.of(new ChatMessage("user", "hi")) : null,
                endpoint == Endpoint.CHAT ? null : "hi", false, false, 10, 1, 1, null, List.of());
        return new SchedulingRequest(1, r, null, Instant.EPOCH);
    }

    private static ProfileSpec.WeightedScorer fixed(double weight, Map<String, Object> scores) {
        return new ProfileSpec.WeightedScorer("fixed", weight, scores);
    }

    private static ProfileSpec profile(String name, List<ProfileSpec.WeightedScorer> scorers) {
        return new ProfileSpec(name, List.of(ProfileSpec.Plugin.of(HealthyFilter.TYPE),
                ProfileSpec.Plugin.of(ServesModelFilter.TYPE)), scorers, ProfileSpec.Plugin.of("recording"));
    }

    private Scheduler engine(ProfileSpec spec, SchedulingMetrics metrics, java.util.function.LongSupplier ticker) {
        return new Scheduler(Profiles.of(plugins(), spec, PluginContext.of(CLOCK, 1), metrics), CLOCK, ticker);
    }

    static Stream<Arguments> scoring() {
        return Stream.of(
                Arguments.of(Named.of("one scorer, weight 2", List.of(fixed(2, Map.of("a", "0.25", "b", "1")))),
                        new double[] {0.5, 2, 1}),
                Arguments.of(Named.of("scores above 1 and below 0 clamped", List.of(fixed(1, Map.of("a", "1.5", "b", "-3",
                        "c", "0.75")))), new double[] {1, 0, 0.75}),
                Arguments.of(Named.of("NaN (no data) counts 0.5", List.of(fixed(1, Map.of("a", "nan", "b", "0", "c", "1")))),
                        new double[] {0.5, 0, 1}),
                Arguments.of(Named.of("two scorers summed with their weights", List.of(
                        fixed(1, Map.of("a", "1", "b", "0", "c", "0.5")), fixed(3, Map.of("a", "0", "b", "1", "c", "0.5")))),
                        new double[] {1, 3, 2}),
                Arguments.of(Named.of("weight 0 ignores the scorer", List.of(fixed(0, Map.of("a", "1", "b", "1", "c", "1")),
                        fixed(1, Map.of("a", "0.1", "b", "0.2", "c", "0.3")))), new double[] {0.1, 0.2, 0.3}),
                Arguments.of(Named.of("no scorers: every total 0", List.of()), new double[] {0, 0, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scoring")
    void pick_scorers_pickerGetsWeightedClampedTotals(List<ProfileSpec.WeightedScorer> scorers, double[] expected) {
        Scheduler s = engine(profile("p", scorers), SchedulingMetrics.noop(), System::nanoTime);
        List<NodeSnapshot> nodes = List.of(node("a", NodeState.HEALTHY, "m"), node("b", NodeState.HEALTHY, "m"),
                node("c", NodeState.HEALTHY, "m"));
        SchedulingRequest r = request("m", Endpoint.CHAT);

        String picked = s.pick(s.candidates(r, nodes, Set.of()), r).orElseThrow().name();

        assertThat(picker.seen).hasSize(1);
        assertThat(picker.seen.getFirst()).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-12));
        int best = 0;
        for (int i = 1; i < expected.length; i++) {
            best = expected[i] > expected[best] ? i : best;
        }
        assertThat(picked).isEqualTo(List.of("a", "b", "c").get(best));
    }

    @Test
    void pick_fewerCandidatesNextTime_scratchArraysSizedToCandidates() {
        Scheduler s = engine(profile("p", List.of(fixed(1, Map.of("a", "1", "b", "0.5", "c", "0.2")))),
                SchedulingMetrics.noop(), System::nanoTime);
        SchedulingRequest r = request("m", Endpoint.CHAT);
        List<NodeSnapshot> three = List.of(node("a", NodeState.HEALTHY, "m"), node("b", NodeState.HEALTHY, "m"),
                node("c", NodeState.HEALTHY, "m"));

        s.pick(s.candidates(r, three, Set.of()), r);
        String second = s.pick(s.candidates(r, three, Set.of("a")), r).orElseThrow().name();

        assertThat(second).isEqualTo("b");
        assertThat(picker.seen.get(1)).containsExactly(0.5, 0.2);
    }

    @Test
    void candidates_healthyAndDegraded_degradedOnlyWhenNoHealthyLeft() {
        Scheduler s = engine(profile("p", List.of()), SchedulingMetrics.noop(), System::nanoTime);
        SchedulingRequest r = request("m", Endpoint.CHAT);
        List<NodeSnapshot> nodes = List.of(node("a", NodeState.DEGRADED, "m"), node("b", NodeState.HEALTHY, "m"),
                node("c", NodeState.HEALTHY, "other"), node("d", NodeState.UNHEALTHY, "m"));

        assertThat(s.candidates(r, nodes, Set.of())).extracting(NodeSnapshot::name).containsExactly("b");
        assertThat(s.candidates(r, nodes, Set.of("b"))).extracting(NodeSnapshot::name).containsExactly("a");
        assertThat(s.candidates(r, nodes, Set.of("a", "b"))).isEmpty();
    }

    @Test
    void pick_tickerAdvances_everyPluginPlaceTimed() {
        AtomicLong ticks = new AtomicLong();
        List<String> recorded = new ArrayList<>();
        SchedulingMetrics metrics = (profile, kind, type, place) ->
                nanos -> recorded.add(profile + "/" + kind + "/" + type + "/" + place + "=" + nanos);
        // every ticker read advances 7 ns, so each timed call measures exactly 7
        Scheduler s = engine(profile("p", List.of(fixed(1, Map.of("a", "1")), fixed(1, Map.of("a", "0")))), metrics,
                () -> ticks.addAndGet(7));
        SchedulingRequest r = request("m", Endpoint.CHAT);

        s.pick(s.candidates(r, List.of(node("a", NodeState.HEALTHY, "m")), Set.of()), r);

        assertThat(recorded).containsExactly("p/filter/healthy/0=7", "p/filter/serves-model/1=7",
                "p/scorer/fixed/0=7", "p/scorer/fixed/1=7", "p/picker/recording/0=7");
    }

    @Test
    void dispatchedAndFinished_observingPlugin_toldOfEveryAttempt() {
        Scheduler s = engine(profile("p", List.of(new ProfileSpec.WeightedScorer("observing", 1, Map.of()))),
                SchedulingMetrics.noop(), System::nanoTime);
        SchedulingRequest r = request("m", Endpoint.CHAT);
        NodeSnapshot a = node("a", NodeState.HEALTHY, "m");

        s.dispatched(r, a);
        s.finished(r, "a", new Completion(Completion.Outcome.ERROR, -1, -1, -1, 5));
        s.dispatched(r, node("b", NodeState.HEALTHY, "m"));
        s.finished(r, "b", new Completion(Completion.Outcome.SUCCESS, 3, 4, 2, 9));

        assertThat(observers).hasSize(1);
        assertThat(observers.getFirst().heard).containsExactly("dispatched a", "finished a ERROR", "dispatched b",
                "finished b SUCCESS");
    }

    @Test
    void profile_modelThenRouteThenDefault_chosenInThatOrder() {
        SchedulingPlugins plugins = plugins();
        GatewayConfig.Scheduling config = new GatewayConfig.Scheduling("least-requests", Map.of("special", "by-model"),
                Map.of("/v1/completions", "by-route"), List.of(profile("by-model", List.of()), profile("by-route", List.of())));
        Scheduler s = new Scheduler(Profiles.build(plugins, config, null, PluginContext.of(CLOCK, 1),
                SchedulingMetrics.noop()), CLOCK, System::nanoTime);

        assertThat(s.profile(request("special", Endpoint.COMPLETIONS)).name()).isEqualTo("by-model");
        assertThat(s.profile(request("m", Endpoint.COMPLETIONS)).name()).isEqualTo("by-route");
        assertThat(s.profile(request("m", Endpoint.CHAT)).name()).isEqualTo("least-requests");
        assertThat(s.policy()).isEqualTo("least-requests");
    }

    @Test
    void choose_pickerAnswersOutOfRange_failsNamingThePicker() {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        plugins.registerPicker("broken", () -> new Picker() {
            @Override
            public String type() {
                return "broken";
            }

            @Override
            public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
                return candidates.size();
            }
        });
        Scheduler s = new Scheduler(Profiles.of(plugins, new ProfileSpec("p", List.of(), List.of(),
                ProfileSpec.Plugin.of("broken")), PluginContext.of(CLOCK, 1), SchedulingMetrics.noop()), CLOCK,
                System::nanoTime);
        SchedulingRequest r = request("m", Endpoint.CHAT);

        assertThatThrownBy(() -> s.pick(List.of(node("a", NodeState.HEALTHY, "m")), r))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("picker 'broken' chose index 1 of 1");
    }

    @Test
    void explain_nodesFilteredAndScored_verdictsScoresAndPickWithoutObservers() {
        Scheduler s = engine(profile("p", List.of(fixed(2, Map.of("a", "nan", "b", "1.5")),
                new ProfileSpec.WeightedScorer("observing", 1, Map.of()))), SchedulingMetrics.noop(), System::nanoTime);
        SchedulingRequest r = request("m", Endpoint.CHAT);
        List<NodeSnapshot> nodes = List.of(node("a", NodeState.HEALTHY, "m"), node("b", NodeState.HEALTHY, "m"),
                node("c", NodeState.HEALTHY, "other"), node("d", NodeState.DEGRADED, "m"));

        Explanation e = s.explain(r, nodes, Set.of(), n -> n.name().equals("a") ? null : null);

        assertThat(e.profile()).isEqualTo("p");
        assertThat(e.picked()).isEqualTo("b");
        assertThat(e.nodes()).extracting(Explanation.NodeVerdict::droppedBy)
                .containsExactly(null, null, "serves-model", "degraded");
        Explanation.NodeVerdict a = e.nodes().getFirst();
        assertThat(a.scores().getFirst()).satisfies(sc -> {
            assertThat(sc.raw()).isNaN();
            assertThat(sc.clamped()).isEqualTo(0.5);
            assertThat(sc.weight()).isEqualTo(2);
        });
        assertThat(a.total()).isEqualTo(2 * 0.5 + 0.5);
        assertThat(e.nodes().get(1).total()).isEqualTo(2 * 1 + 0.5);
        assertThat(e.nodes().get(2).filters()).containsExactly(new Explanation.FilterVerdict("healthy", true),
                new Explanation.FilterVerdict("serves-model", false));
        assertThat(observers.getFirst().heard).as("explaining tells no observer").isEmpty();
    }

    @Test
    void tokensInFlight_withAndWithoutMaxTokens_promptEstimatePlusGenerationBudget() {
        SchedulingRequest withMax = request("m", Endpoint.COMPLETIONS);
        InferenceRequest noMax = new InferenceRequest(Endpoint.COMPLETIONS, "m", null, "x".repeat(400), false, false,
                null, 1, 1, null, List.of());

        assertThat(Scheduler.tokensInFlight(withMax)).isEqualTo(withMax.estimatedPromptTokens() + 10L);
        assertThat(Scheduler.tokensInFlight(new SchedulingRequest(2, noMax, null, Instant.EPOCH)))
                .isEqualTo(100L + Scheduler.DEFAULT_GENERATION_TOKENS);
    }

    @Test
    void estimatedPromptTokens_charsPerToken_dividesTheText() {
        InferenceRequest r = new InferenceRequest(Endpoint.COMPLETIONS, "m", null, "x".repeat(401), false, false,
                null, 1, 1, null, List.of());
        assertThat(new SchedulingRequest(1, r, null, Instant.EPOCH).estimatedPromptTokens()).isEqualTo(101);
        assertThat(new SchedulingRequest(2, r, null, Instant.EPOCH, 1).estimatedPromptTokens()).isEqualTo(401);
        assertThatThrownBy(() -> new SchedulingRequest(3, r, null, Instant.EPOCH, 0))
                .hasMessageContaining("charsPerToken: 0");
    }
}
