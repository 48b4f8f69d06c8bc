package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.engine.sim.AcceleratorProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulated gateway knows each node's context as a live one learns it from {@code /v1/models}:
 * on one H100 and four T4s (4,096 and 1,754 tokens), prompts of 2,500 tokens reach the T4s under
 * round-robin, which reads no context, and never under {@code flotilla}, whose fits-context filter
 * keeps them on the H100.
 */
class SimContextTest {

    /** 200 compact synthetic prompts of 2,500 tokens, one every 250 ms (the H100 alone keeps up). */
    private static List<SimRequest> longPrompts() {
        List<SimRequest> out = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            out.add(new SimRequest("r" + i, i * 250_000_000L, "t", 0, null, SimPrompt.Synthetic.of(2500), 20));
        }
        return out;
    }

    private static SimReport run(String policy) {
        FleetSpec fleet = FleetSpec.of("m", List.of(FleetSpec.NodeGroup.of(AcceleratorProfile.H100, 1),
                FleetSpec.NodeGroup.of(AcceleratorProfile.T4, 4))).withPolicy(policy);
        return FleetSimulator.builder(fleet).seed(1).slo(new Slo(3000.0, 150.0, null)).build().run(longPrompts());
    }

    private static long refused(SimReport report) {
        return report.nodes().stream().mapToLong(SimReport.NodeReport::refused).sum();
    }

    @Test
    void run_longPromptsOnH100AndT4s_flotillaSendsNoneToAT4() {
        assertThat(AcceleratorProfile.T4.maxContextTokens()).isLessThan(2500);
        SimReport roundRobin = run("round-robin");
        assertThat(refused(roundRobin)).as("round-robin sends 4 in 5 to a T4, which refuses them").isGreaterThan(100);

        SimReport flotilla = run("flotilla");
        assertThat(refused(flotilla)).isZero();
        assertThat(flotilla.nodes()).filteredOn(n -> n.profile().equals("T4"))
                .allSatisfy(n -> assertThat(n.served()).isZero());
        assertThat(flotilla.nodes()).filteredOn(n -> n.profile().equals("H100"))
                .singleElement().satisfies(n -> assertThat(n.served()).isEqualTo(200));
    }
}
