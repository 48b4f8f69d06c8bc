package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.gateway.config.ConfigLoader;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code flotilla up}'s node entries for simulated nodes: every built-in accelerator profile gives an
 * entry the gateway accepts (the zero-delay profile, with no memory or TFLOPS, once made the gateway
 * refuse to start), with the figures the profile has.
 */
class UpHardwareYamlTest {
    private final ConfigLoader loader = new ConfigLoader(SchedulingPlugins.builtIn());

    static Stream<AcceleratorProfile> profiles() {
        return AcceleratorProfile.builtIns().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("profiles")
    void hardwareYaml_everyBuiltInProfile_gatewayAcceptsItsFacts(AcceleratorProfile profile) {
        String yaml = "nodes:\n  - name: n\n    url: http://127.0.0.1:9\n" + UpCommand.hardwareYaml(profile);

        GatewayConfig.Node node = loader.parse(yaml, Map.of()).nodes().getFirst();

        assertThat(node.accelerator()).isEqualTo(profile.name());
        assertThat(node.memoryGb()).isEqualTo(Math.round(profile.memoryGb()) > 0 ? (int) Math.round(profile.memoryGb()) : null);
        assertThat(node.tflops()).isEqualTo(profile.tflopsBf16() > 0 ? profile.tflopsBf16() : null);
    }
}
