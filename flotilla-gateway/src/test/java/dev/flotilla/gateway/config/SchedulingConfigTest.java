package dev.flotilla.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.scheduling.ProfileSpec;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Scorer;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code scheduling:} section: its shape, and every problem named by path and value. */
class SchedulingConfigTest {
    private static SchedulingPlugins plugins() {
        SchedulingPlugins p = SchedulingPlugins.builtIn();
        // a scorer with one parameter, alpha in 0..10
        p.registerScorer("test-score", (params, context) -> {
            double alpha = params.number("alpha", 1, 0, 10);
            return new Scorer() {
                @Override
                public String type() {
                    return "test-score";
                }

                @Override
                public void score(dev.flotilla.gateway.scheduling.spi.SchedulingRequest request,
                                  List<dev.flotilla.gateway.fleet.NodeSnapshot> candidates, double[] scores) {
                    java.util.Arrays.fill(scores, alpha / 10);
                }
            };
        });
        return p;
    }

    private final ConfigLoader loader = new ConfigLoader(plugins());

    @Test
    void parse_fullSchedulingSection_boundAsWritten() {
        GatewayConfig c = loader.parse("""
                scheduling:
                  default: mine
                  models: {llama-3-8b: mine}
                  routes: {/v1/completions: least-requests}
                  profiles:
                    mine:
                      filters: [healthy, {type: serves-model}]
                      scorers: [{type: test-score, weight: 2, params: {alpha: 3}}, test-score]
                      picker: {type: least-requests}
                models:
                  llama-3-8b: {sizeGb: 16}
                """, Map.of());

        GatewayConfig.Scheduling s = c.scheduling();
        assertThat(s.defaultProfile()).isEqualTo("mine");
        assertThat(s.models()).containsEntry("llama-3-8b", "mine");
        assertThat(s.routes()).containsEntry("/v1/completions", "least-requests");
        assertThat(s.profiles()).containsExactly(new ProfileSpec("mine",
                List.of(ProfileSpec.Plugin.of("healthy"), ProfileSpec.Plugin.of("serves-model")),
                List.of(new ProfileSpec.WeightedScorer("test-score", 2, Map.of("alpha", 3)),
                        ProfileSpec.WeightedScorer.of("test-score", 1)),
                ProfileSpec.Plugin.of("least-requests")));
        assertThat(c.modelSizeGb("llama-3-8b")).isEqualTo(16);
        assertThat(c.modelSizeGb("other")).isNaN();
    }

    @Test
    void parse_routingPolicyOnly_stillTheDefaultProfile() {
        GatewayConfig c = loader.parse("routing: {policy: least-requests}", Map.of());
        assertThat(c.scheduling().defaultProfile()).isNull();
        assertThat(c.routing().policy()).isEqualTo("least-requests");
    }

    static Stream<Arguments> invalid() {
        String head = "scheduling:\n  profiles:\n    p:\n";
        return Stream.of(
                Arguments.of(Named.of("unknown filter type", head + "      filters: [healthy, fast-only]\n"
                        + "      picker: least-requests\n"),
                        "scheduling.profiles.p.filters[1].type: \"fast-only\" (expected a filter type, one of: healthy, serves-model, circuit-closed, fits-memory, fits-context)"),
                Arguments.of(Named.of("unknown scorer type", head + "      scorers: [{type: nope, weight: 1}]\n"
                        + "      picker: least-requests\n"),
                        "scheduling.profiles.p.scorers[0].type: \"nope\" (expected a scorer type, one of: queue-depth, kv-cache, in-flight-tokens, inferops, prefix-affinity, session-affinity, predicted-latency, test-score)"),
                Arguments.of(Named.of("unknown picker type", head + "      picker: best\n"),
                        "scheduling.profiles.p.picker.type: \"best\" (expected a picker type, one of: least-requests, max-score, weighted-random, power-of-two, round-robin, sglang-cache-aware)"),
                Arguments.of(Named.of("unknown parameter", head + "      scorers: [{type: test-score, params: {beta: 1}}]\n"
                        + "      picker: least-requests\n"),
                        "scheduling.profiles.p.scorers[0].params.beta: 1 (unknown parameter of the plugin 'test-score')"),
                Arguments.of(Named.of("parameter out of range", head + "      scorers: [{type: test-score, params: {alpha: 11}}]\n"
                        + "      picker: least-requests\n"),
                        "scheduling.profiles.p.scorers[0].params.alpha: 11 (expected a number from 0.0 to 10.0)"),
                Arguments.of(Named.of("negative weight", head + "      scorers: [{type: test-score, weight: -2}]\n"
                        + "      picker: least-requests\n"),
                        "scheduling.profiles.p.scorers[0].weight: -2.0 (expected a number >= 0)"),
                Arguments.of(Named.of("no picker", head + "      filters: [healthy]\n"),
                        "scheduling.profiles.p.picker: <missing> (expected a picker type, e.g. max-score, or {type, params})"),
                Arguments.of(Named.of("unknown profile key", head + "      pickr: least-requests\n      picker: least-requests\n"),
                        "scheduling.profiles.p.pickr: \"least-requests\" (unknown key; expected one of: filters, scorers, picker, hedge)"),
                Arguments.of(Named.of("model names an unknown profile", "scheduling: {models: {m: fast}}"),
                        "scheduling.models.m: \"fast\" (expected one of: flotilla, inferops, least-requests, llmd-default, round-robin, sglang-cache-aware)"),
                Arguments.of(Named.of("route is no endpoint", "scheduling: {routes: {/v1/embeddings: least-requests}}"),
                        "scheduling.routes: \"/v1/embeddings\" (expected an endpoint path: /v1/chat/completions or /v1/completions)"),
                Arguments.of(Named.of("default names an unknown profile", "scheduling: {default: fast}"),
                        "scheduling.default: \"fast\" (expected one of: flotilla, inferops, least-requests, llmd-default, max-score, power-of-two, round-robin, sglang-cache-aware, weighted-random)"),
                Arguments.of(Named.of("routing.policy names nothing known", "routing: {policy: random}"),
                        "routing.policy: \"random\" (expected one of: flotilla, inferops, least-requests, llmd-default, max-score, power-of-two, round-robin, sglang-cache-aware, weighted-random)"),
                Arguments.of(Named.of("model size not positive", "models: {m: {sizeGb: 0}}"),
                        "models.m.sizeGb: 0.0 (expected a positive number of GB, e.g. 16)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void parse_invalidScheduling_problemNamesPathAndValue(String yaml, String problem) {
        assertThatThrownBy(() -> loader.parse(yaml, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).contains(problem));
    }

    @Test
    void parse_environmentSetsDefaultProfile_overridesYamlAndIsChecked() {
        assertThat(loader.parse("scheduling: {default: nope}", Map.of("FLOTILLA_SCHEDULING_DEFAULT", "least-requests"))
                .scheduling().defaultProfile()).isEqualTo("least-requests");
        assertThatThrownBy(() -> loader.parse("", Map.of("FLOTILLA_SCHEDULING_DEFAULT", "nope")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("scheduling.default: \"nope\" (expected one of: flotilla, inferops, least-requests, llmd-default, max-score, power-of-two, round-robin, sglang-cache-aware, weighted-random)"));
    }

    @Test
    void parse_severalProblems_allReportedAtOnce() {
        assertThatThrownBy(() -> loader.parse("""
                scheduling:
                  models: {m: nope}
                  profiles:
                    p:
                      filters: [nope]
                      scorers: [{type: test-score, weight: -1}]
                      picker: least-requests
                """, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void parse_userProfileWithBuiltInName_replacesIt() {
        GatewayConfig c = loader.parse("""
                scheduling:
                  profiles:
                    least-requests:
                      filters: [healthy]
                      picker: least-requests
                """, Map.of());
        assertThat(c.scheduling().profiles()).extracting(ProfileSpec::name).containsExactly("least-requests");
    }

    @Test
    void start_profileWithUnknownPluginType_rejectedBeforeListening() {
        GatewayConfig config = GatewayConfig.defaults().withScheduling(new GatewayConfig.Scheduling("p", Map.of(),
                Map.of(), List.of(new ProfileSpec("p", List.of(ProfileSpec.Plugin.of("gpu-rich")), List.of(),
                        ProfileSpec.Plugin.of("least-requests")))));

        assertThatThrownBy(() -> Gateway.start(config, Clock.systemUTC()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "scheduling.profiles.p.filters[0].type: \"gpu-rich\" (expected a filter type, one of: healthy, serves-model, circuit-closed, fits-memory, fits-context)"));
    }
}
