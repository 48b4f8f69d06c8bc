package dev.flotilla.bench.sim.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.sim.FleetSimulator;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.bench.sim.TraceRequests;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.protocol.Endpoint;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The computed capacity against the simulator: at half of it the fleet keeps up, at 150 % it
 * saturates, and the rate it then completes requests at (its measured saturation rate) is close
 * to the computed capacity.
 */
class CapacityModelTest {
    private static final CapacityModel MODEL = new CapacityModel(Endpoint.CHAT);
    private static final double SECONDS = 60;

    private static FleetSpec fleet(AcceleratorProfile profile, int count) {
        return FleetSpec.of(FleetSpec.DEFAULT_MODEL, List.of(FleetSpec.NodeGroup.of(profile, count)));
    }

    static Stream<Arguments> fleets() {
        return Stream.of(
                Arguments.of(Named.of("2x A100, short-chat", fleet(AcceleratorProfile.A100_80G, 2)),
                        SimWorkload.SHORT_CHAT),
                Arguments.of(Named.of("2x L4, short-chat", fleet(AcceleratorProfile.L4, 2)), SimWorkload.SHORT_CHAT),
                Arguments.of(Named.of("1x A100, long-prompt", fleet(AcceleratorProfile.A100_80G, 1)),
                        SimWorkload.LONG_PROMPT),
                Arguments.of(Named.of("1x A100, two-tenants", fleet(AcceleratorProfile.A100_80G, 1)),
                        SimWorkload.TWO_TENANTS),
                // shared system prompts counted as cached; conversation history is not, and on a single node every
                // turn finds its history (measured saturation 16 % above the capacity), so two
                Arguments.of(Named.of("2x A100, multi-turn", fleet(AcceleratorProfile.A100_80G, 2)),
                        SimWorkload.MULTI_TURN),
                Arguments.of(Named.of("2x L4, multi-turn", fleet(AcceleratorProfile.L4, 2)), SimWorkload.MULTI_TURN));
    }

    private static BenchReport simulate(FleetSpec fleet, SimWorkload workload, double rate) {
        List<TraceRecord> trace = TraceGenerator.generate(workload.trace(rate, SECONDS, 2));
        return FleetSimulator.builder(fleet).build().run(TraceRequests.of(trace)).bench();
    }

    private static double capacity(FleetSpec fleet, SimWorkload workload) {
        return MODEL.capacity(fleet, TraceGenerator.generate(workload.trace(10, 600, 1))).requestsPerSecond();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fleets")
    void capacity_halfLoad_fleetKeepsUp(FleetSpec fleet, SimWorkload workload) {
        double capacity = capacity(fleet, workload);

        BenchReport half = simulate(fleet, workload, capacity * 0.5);

        // every request done within a few seconds of the last arrival, none waiting long
        assertThat(half.failed()).isZero();
        assertThat(half.duration()).isLessThan(SECONDS + 5);
        assertThat(half.ttft().p50()).isLessThan(1000);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fleets")
    void capacity_150PercentLoad_throughputSaturatesNearTheCapacity(FleetSpec fleet, SimWorkload workload) {
        double capacity = capacity(fleet, workload);

        BenchReport over = simulate(fleet, workload, capacity * 1.5);

        double offered = (over.completed() + over.failed()) / SECONDS;
        assertThat(over.requestThroughput()).isLessThan(0.8 * offered);
        // the queue grows all along: the median request waits for seconds
        assertThat(over.ttft().p50()).isGreaterThan(3000);
        // the measured saturation rate is the computed capacity within 10 %
        assertThat(over.requestThroughput()).isCloseTo(capacity, within(0.10 * capacity));
    }

    @Test
    void capacity_promptsLongerThanTheContext_nodeContributesNothing() {
        FleetSpec mixed = FleetSpec.of(FleetSpec.DEFAULT_MODEL, List.of(FleetSpec.NodeGroup.of(AcceleratorProfile.H100, 1),
                FleetSpec.NodeGroup.of(AcceleratorProfile.T4, 8)));

        CapacityModel.Capacity c = MODEL.capacity(mixed,
                TraceGenerator.generate(SimWorkload.LONG_PROMPT.trace(10, 600, 1)));

        // the T4's context is 1,754 tokens; the long prompts start around 1,800
        assertThat(c.groups().get(1).fitShare()).isLessThan(0.06);
        assertThat(c.groups().get(1).total()).isLessThan(0.02 * c.requestsPerSecond());
        assertThat(c.groups().get(0).fitShare()).isEqualTo(1.0);
    }

    @Test
    void expectedOutput_maxTokensAboveTheEnginesTextLength_isTheTextsMeanLength() {
        // the engine's text is 1 to 6 sentences of about 10 tokens each
        double unlimited = MODEL.expectedOutput(1000, 10, 4096);
        double one = MODEL.expectedOutput(1, 10, 4096);
        double ten = MODEL.expectedOutput(10, 10, 4096);

        assertThat(unlimited).isBetween(30.0, 45.0);
        assertThat(one).isEqualTo(1.0);
        assertThat(ten).isBetween(9.0, 10.0);
        assertThat(MODEL.expectedOutput(1000, 4090, 4096)).isEqualTo(MODEL.expectedOutput(6, 10, 4096));
    }
}
