package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Nodes.Age;
import dev.flotilla.gateway.scheduling.spi.Filter;
import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FitsContextFilterTest {
    private static final Clock CLOCK = Clock.fixed(Nodes.NOW, ZoneOffset.UTC);
    /** 4,000 characters: an estimated 1,000 tokens. */
    private static final String PROMPT_1000 = "abcd".repeat(1000);

    private static FitsContextFilter filter(Map<String, Object> params) {
        return (FitsContextFilter) SchedulingPlugins.builtIn().filter(FitsContextFilter.TYPE,
                new PluginParams("scheduling.profiles.p.filters[2].params", params), PluginContext.of(CLOCK, 1));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("context unknown: accepted", node("a")), null, Map.of(), true),
                Arguments.of(Named.of("prompt and 16 output tokens fit exactly", node("a").context(1016)), null,
                        Map.of(), true),
                Arguments.of(Named.of("one token short of prompt + 16", node("a").context(1015)), null, Map.of(),
                        false),
                Arguments.of(Named.of("the context is smaller than the prompt", node("a").context(900)), 4, Map.of(),
                        false),
                Arguments.of(Named.of("max_tokens 4 below the minimum: 4 output tokens suffice",
                        node("a").context(1004)), 4, Map.of(), true),
                Arguments.of(Named.of("max_tokens 500 above the minimum: only 16 needed", node("a").context(1016)),
                        500, Map.of(), true),
                Arguments.of(Named.of("minOutputTokens 100 from the parameters", node("a").context(1050)), null,
                        Map.of("minOutputTokens", 100), false),
                Arguments.of(Named.of("minOutputTokens 0: the prompt alone", node("a").context(1000)), null,
                        Map.of("minOutputTokens", 0), true),
                Arguments.of(Named.of("stale telemetry does not matter: the context is from /v1/models",
                        node("a").context(800).load(Age.STALE, 1, 0, 0.1)), null, Map.of(), false),
                Arguments.of(Named.of("fresh telemetry, large context: accepted",
                        node("a").context(8192).load(Age.FRESH, 1, 0, 0.1)), null, Map.of(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void accept_case_decides(Nodes node, Integer maxTokens, Map<String, Object> params, boolean accepted) {
        SchedulingRequest request = Nodes.request(PROMPT_1000, null, maxTokens);
        assertThat(request.estimatedPromptTokens()).isEqualTo(1000);
        assertThat(filter(params).accept(node.build(), request)).isEqualTo(accepted);
    }

    @Test
    void accept_contextOfAnotherModel_isUnknownForThisOne() {
        NodeSnapshot other = node("a").build();
        NodeSnapshot withOther = new NodeSnapshot(other.name(), other.baseUrl(), true, Set.of("m", "big"),
                other.facts(), 0, other.since(), null, other.telemetry(), other.state(), 0, Map.of("big", 100));
        assertThat(filter(Map.of()).accept(withOther, Nodes.request(PROMPT_1000))).isTrue();
    }

    @Test
    void create_negativeMinOutput_failsNamingThePath() {
        assertThatThrownBy(() -> filter(Map.of("minOutputTokens", -1)))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageContaining("scheduling.profiles.p.filters[2].params.minOutputTokens");
    }

    static Stream<Arguments> fleets() {
        return Stream.of(
                Arguments.of(Named.of("one small node among large ones: the small one is dropped",
                        List.of(node("t4").context(512), node("h100").context(4096), node("a100").context(4096))),
                        List.of("h100", "a100")),
                Arguments.of(Named.of("a node of unknown context stays with the fitting one",
                        List.of(node("t4").context(512), node("old"), node("h100").context(4096))),
                        List.of("old", "h100")),
                Arguments.of(Named.of("none fits: the largest contexts are kept, the node answers itself",
                        List.of(node("t4").context(512), node("h100").context(900), node("h100b").context(900))),
                        List.of("h100", "h100b")),
                Arguments.of(Named.of("one node, too small: kept (its own 400, not 'no node up')",
                        List.of(node("t4").context(512))), List.of("t4")),
                Arguments.of(Named.of("one node, context unknown: kept", List.of(node("x"))), List.of("x")),
                Arguments.of(Named.of("no candidates: none", List.of()), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fleets")
    void candidates_fleet_keepsTheseNodes(List<Nodes> fleet, List<String> expected) {
        List<Filter> filters = List.of(new HealthyFilter(), new ServesModelFilter(), filter(Map.of()));
        Scheduler scheduler = new Scheduler(filters, new RoundRobinPicker(), CLOCK);
        List<NodeSnapshot> candidates = scheduler.candidates(Nodes.request(PROMPT_1000),
                Nodes.all(fleet.toArray(Nodes[]::new)), Set.of());
        assertThat(candidates).extracting(NodeSnapshot::name).containsExactlyElementsOf(expected);
    }

    @Test
    void explain_noneFits_showsTheRefusalsAndKeepsTheLargestAsCandidatesDoes() {
        List<Filter> filters = List.of(new HealthyFilter(), new ServesModelFilter(), filter(Map.of()));
        Scheduler scheduler = new Scheduler(filters, new RoundRobinPicker(), CLOCK);
        Explanation e = scheduler.explain(Nodes.request(PROMPT_1000),
                Nodes.all(node("t4").context(512), node("big").context(900)), Set.of(), null);
        assertThat(e.picked()).isEqualTo("big");
        assertThat(e.nodes()).extracting(Explanation.NodeVerdict::node, Explanation.NodeVerdict::droppedBy)
                .containsExactly(tuple("t4", "fits-context"),
                        tuple("big", null));
        assertThat(e.nodes().get(1).filters()).extracting(Explanation.FilterVerdict::accepted)
                .as("the refusal stays visible").containsExactly(true, true, false);
    }

    @Test
    void candidates_noneFitsAfterAnotherFilterLeftNone_staysEmpty() {
        // serves-model left nothing: the fallback only reconsiders what fits-context itself rejected
        List<Filter> filters = List.of(new HealthyFilter(), new ServesModelFilter(), filter(Map.of()));
        Scheduler scheduler = new Scheduler(filters, new RoundRobinPicker(), CLOCK);
        SchedulingRequest other = new SchedulingRequest(1, new InferenceRequest(
                Endpoint.COMPLETIONS, "unknown-model", null, PROMPT_1000, false, false, null,
                1.0, 1.0, null, List.of(), null), null, Nodes.NOW);
        assertThat(scheduler.candidates(other, Nodes.all(node("t4").context(512)), Set.of())).isEmpty();
    }
}
