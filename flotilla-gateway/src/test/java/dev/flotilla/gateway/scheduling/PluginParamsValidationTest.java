package dev.flotilla.gateway.scheduling;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.gateway.scheduling.spi.PluginConfigException;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PluginParamsValidationTest {
    private static final String PATH = "scheduling.profiles.x.scorers[0].params";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("prefix block size 0", "scorer"), "prefix-affinity", "blockChars", 0,
                        PATH + ".blockChars: 0 (expected a whole number from 1 to 1048576)"),
                Arguments.of(Named.of("prefix bound not a number", "scorer"), "prefix-affinity", "maxEntries", "many",
                        PATH + ".maxEntries: \"many\" (expected a whole number)"),
                Arguments.of(Named.of("session ttl not a duration", "scorer"), "session-affinity", "ttl", "forever",
                        PATH + ".ttl: \"forever\" (expected a duration like 250ms, 1.5s or 2m)"),
                Arguments.of(Named.of("latency target unknown", "scorer"), "predicted-latency", "target", "fast",
                        PATH + ".target: \"fast\" (expected ttft, e2e or blend)"),
                Arguments.of(Named.of("latency decay above 1", "scorer"), "predicted-latency", "decay", 1.5,
                        PATH + ".decay: 1.5 (expected a number from 0.5 to 1.0)"),
                Arguments.of(Named.of("inferops negative weight", "scorer"), "inferops", "utilisation", -1,
                        PATH + ".utilisation: -1 (expected a number from 0.0 to 1000.0)"),
                Arguments.of(Named.of("fits-memory source unknown", "filter"), "fits-memory", "memory", "some",
                        PATH + ".memory: \"some\" (expected free or total)"),
                Arguments.of(Named.of("sglang cache threshold above 1", "picker"), "sglang-cache-aware",
                        "cacheThreshold", 2, PATH + ".cacheThreshold: 2 (expected a number from 0.0 to 1.0)"),
                Arguments.of(Named.of("sglang relative threshold below 1", "picker"), "sglang-cache-aware",
                        "balanceRelThreshold", 0.5, PATH + ".balanceRelThreshold: 0.5 (expected a number from 1.0"),
                Arguments.of(Named.of("parameter a scorer does not know", "scorer"), "queue-depth", "depth", 1,
                        PATH + ".depth: 1 (unknown parameter of the plugin 'queue-depth')"),
                Arguments.of(Named.of("parameter a picker does not know", "picker"), "max-score", "seed", 3,
                        PATH + ".seed: 3 (unknown parameter of the plugin 'max-score')"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void create_badParameter_failsNamingPathAndValue(String kind, String type, String key, Object value,
                                                      String message) {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        PluginParams params = new PluginParams(PATH, Map.of(key, value));
        PluginContext ctx = PluginContext.of(Clock.systemUTC(), 1);
        assertThatThrownBy(() -> {
            switch (kind) {
                case "scorer" -> plugins.scorer(type, params, ctx);
                case "filter" -> plugins.filter(type, params, ctx);
                default -> plugins.picker(type, params, ctx);
            }
        }).isInstanceOf(PluginConfigException.class).hasMessageStartingWith(message);
    }
}
