package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TenantParametersTest {
    private static final Path HERE = Path.of(".");

    @Test
    void tenant_overridesOnDefaults_everyKeyRead() {
        Map<String, String> defaults = Map.of("rate", "4", "prompt-median", "300", "turns", "2");
        TenantSpec t = TenantParameters.tenant(defaults, TenantParameters.parse(
                "name=batch, priority=-1,rate-schedule=0s:2;30s:8,cv=2.5,output-median=50,output-sigma=0,"
                        + "prefix-groups=3,prefix-tokens=120,prefix-share=0.5,think-time=1.5m", "--tenant"), HERE, "--tenant");

        assertThat(t.name()).isEqualTo("batch");
        assertThat(t.priority()).isEqualTo(-1);
        assertThat(t.rate()).isEqualTo(RateSchedule.parse("0:2,30:8"));
        assertThat(t.cv()).isEqualTo(2.5);
        assertThat(t.prompt()).isEqualTo(new LengthDistribution.LogNormal(300, 0.5, 1, Integer.MAX_VALUE));
        assertThat(t.output()).isEqualTo(new LengthDistribution.LogNormal(50, 0, 1, Integer.MAX_VALUE));
        assertThat(t.prefixes()).isEqualTo(new TenantSpec.Prefixes(3, 120, 0.5));
        assertThat(t.sessions()).isEqualTo(new TenantSpec.Sessions(2, 90));
    }

    @Test
    void tenant_nothingGiven_defaults() {
        TenantSpec t = TenantParameters.tenant(Map.of(), Map.of(), HERE, "trace");

        assertThat(t.name()).isEqualTo("default");
        assertThat(t.rate()).isEqualTo(RateSchedule.constant(1));
        assertThat(t.prompt()).isEqualTo(LengthDistribution.LogNormal.of(256, 0.5));
        assertThat(t.prefixes()).isEqualTo(TenantSpec.Prefixes.NONE);
        assertThat(t.sessions()).isEqualTo(new TenantSpec.Sessions(1, 10));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown key| name=a,speed=3 | speed (unknown; expected one of",
            "negative rate| rate=-2 | rate=-2 (expected >= 0",
            "text cv| cv=high | cv=high (expected a number)",
            "share above 1| prefix-share=2 | prefix-share=2 (expected >= 0 and <= 1)",
            "groups without tokens| prefix-groups=2 | prefix-tokens=0 (expected >= 1 with prefix-groups=2)",
            "bad think time| think-time=soon | think-time=soon",
            "missing table| prompt-table=nope.csv | prompt-table=nope.csv",
            "not key=value| rate | 'rate' in 'rate' (expected key=value",
    })
    void tenant_bad_namesKeyAndValue(String name, String text, String message) {
        assertThatThrownBy(() -> TenantParameters.tenant(Map.of(), TenantParameters.parse(text, "--tenant"), HERE,
                "--tenant")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
