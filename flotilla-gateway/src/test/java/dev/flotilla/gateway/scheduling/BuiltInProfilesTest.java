package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.scheduling.ProfileSpec.Plugin;
import dev.flotilla.gateway.scheduling.ProfileSpec.WeightedScorer;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BuiltInProfilesTest {
    static Stream<Named<ProfileSpec>> profiles() {
        return BuiltInProfiles.all().stream().map(p -> Named.of(p.name(), p));
    }

    @Test
    void all_names_theSixProfiles() {
        assertThat(BuiltInProfiles.all()).extracting(ProfileSpec::name).containsExactly("round-robin",
                "least-requests", "inferops", "llmd-default", "sglang-cache-aware", "flotilla");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void profile_everyPlugin_buildsFromTheBuiltInRegistry(ProfileSpec spec) {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        PluginContext ctx = PluginContext.of(Clock.systemUTC(), 1);
        String at = "scheduling.profiles." + spec.name();
        for (Plugin f : spec.filters()) {
            assertThat(plugins.filter(f.type(), new PluginParams(at + ".filters", f.params()), ctx).type())
                    .isEqualTo(f.type());
        }
        for (WeightedScorer s : spec.scorers()) {
            assertThat(plugins.scorer(s.type(), new PluginParams(at + ".scorers", s.params()), ctx).type())
                    .isEqualTo(s.type());
            assertThat(s.weight()).isPositive();
        }
        assertThat(plugins.picker(spec.picker().type(), new PluginParams(at + ".picker", spec.picker().params()), ctx)
                .type()).isEqualTo(spec.picker().type());
        assertThat(spec.filters()).extracting(Plugin::type).startsWith("healthy", "serves-model")
                .doesNotContain("circuit-closed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void profile_fitsContext_onlyFlotillaHasIt(ProfileSpec spec) {
        // the baselines stay as published: none of them reads a node's context length
        assertThat(spec.filters().stream().anyMatch(f -> f.type().equals("fits-context")))
                .isEqualTo(spec.name().equals("flotilla"));
    }

    @Test
    void llmdDefault_weights_queue2Kv2Prefix3MaxScore() {
        ProfileSpec llmd = BuiltInProfiles.all().stream().filter(p -> p.name().equals("llmd-default")).findFirst()
                .orElseThrow();
        Map<String, Double> weights = llmd.scorers().stream()
                .collect(Collectors.toMap(WeightedScorer::type, WeightedScorer::weight));
        assertThat(weights).isEqualTo(Map.of("queue-depth", 2.0, "kv-cache", 2.0, "prefix-affinity", 3.0));
        assertThat(llmd.picker().type()).isEqualTo("max-score");
    }

    @Test
    void flotilla_scorers_latencyPrefixAndLoad() {
        ProfileSpec flotilla = BuiltInProfiles.all().stream().filter(p -> p.name().equals("flotilla")).findFirst()
                .orElseThrow();
        assertThat(flotilla.scorers()).extracting(WeightedScorer::type)
                .containsExactlyInAnyOrder("predicted-latency", "prefix-affinity", "in-flight-tokens", "queue-depth");
        assertThat(List.of(flotilla.picker().type())).containsExactly("max-score");
        assertThat(flotilla.filters()).extracting(Plugin::type).containsExactly("healthy", "serves-model", "fits-context");
        assertThat(BuiltInProfiles.all().stream().collect(Collectors.toMap(ProfileSpec::name, Function.identity())))
                .hasSize(6);
    }
}
