package dev.flotilla.gateway.scheduling;

import static dev.flotilla.gateway.scheduling.Nodes.NAN;
import static dev.flotilla.gateway.scheduling.Nodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.Nodes.Age;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.PluginParams;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FilterPluginsTest {
    private static final Clock CLOCK = Clock.fixed(Nodes.NOW, ZoneOffset.UTC);

    @Test
    void circuitClosed_openCircuit_rejectsOnlyThatNode() {
        PluginContext ctx = new PluginContext(CLOCK, 1, name -> !name.equals("open"), model -> NAN);
        CircuitClosedFilter filter = new CircuitClosedFilter(ctx);
        assertThat(filter.accept(node("open").build(), Nodes.request("x"))).isFalse();
        assertThat(filter.accept(node("closed").build(), Nodes.request("x"))).isTrue();
    }

    static Stream<Arguments> memoryCases() {
        return Stream.of(
                Arguments.of(Named.of("model size unknown: accepted even on a full node", NAN),
                        node("a").age(Age.FRESH).gpu(0.5, 24, 24, 60), Map.of(), true),
                Arguments.of(Named.of("fresh GPU, enough free memory", 10.0),
                        node("a").age(Age.FRESH).gpu(0.5, 10, 24, 60), Map.of(), true),
                Arguments.of(Named.of("fresh GPU, too little free memory", 10.0),
                        node("a").age(Age.FRESH).gpu(0.5, 20, 24, 60), Map.of(), false),
                Arguments.of(Named.of("free memory summed over two GPUs", 10.0),
                        node("a").age(Age.FRESH).gpu(0.5, 18, 24, 60).gpu(0.5, 18, 24, 60), Map.of(), true),
                Arguments.of(Named.of("memory total: a full GPU still counts its size", 20.0),
                        node("a").age(Age.FRESH).gpu(0.5, 24, 24, 60), Map.of("memory", "total"), true),
                Arguments.of(Named.of("headroom makes it too tight", 10.0),
                        node("a").age(Age.FRESH).gpu(0.5, 12, 24, 60), Map.of("headroomGb", 4), false),
                Arguments.of(Named.of("stale telemetry: the configured memory decides (too small)", 10.0),
                        node("a").facts(8, null).age(Age.STALE).gpu(0.1, 1, 80, 60), Map.of(), false),
                Arguments.of(Named.of("stale telemetry: the configured memory decides (enough)", 10.0),
                        node("a").facts(16, null).age(Age.STALE).gpu(0.1, 79, 80, 60), Map.of(), true),
                Arguments.of(Named.of("GPU memory not reported (NaN): the configured memory decides", 10.0),
                        node("a").facts(8, null).age(Age.FRESH).gpu(0.1, NAN, NAN, 60), Map.of(), false),
                Arguments.of(Named.of("nothing known about the node: accepted", 10.0),
                        node("a"), Map.of(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memoryCases")
    void fitsMemory_case_decides(double modelGb, Nodes node, Map<String, Object> params, boolean accepted) {
        PluginContext ctx = new PluginContext(CLOCK, 1, name -> true, model -> model.equals("m") ? modelGb : NAN);
        FitsMemoryFilter filter = FitsMemoryFilter.create(new PluginParams("p", params), ctx);
        NodeSnapshot n = node.build();
        assertThat(filter.accept(n, Nodes.request("hello"))).isEqualTo(accepted);
    }
}
