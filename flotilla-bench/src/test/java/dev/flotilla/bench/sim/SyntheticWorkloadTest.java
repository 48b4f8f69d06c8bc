package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticWorkloadTest {

    static List<SimRequest> all(SyntheticWorkload w) {
        List<SimRequest> out = new ArrayList<>();
        w.iterator().forEachRemaining(out::add);
        return out;
    }

    @Test
    void parse_keysGiven_restDefault() {
        SyntheticWorkload w = SyntheticWorkload.parse("rate=100, duration=1h, prompt=512", 9);

        assertThat(w).isEqualTo(new SyntheticWorkload(100, 3600, 0, 512, 0, 128, 0, 0, 0, 9));
        assertThat(SyntheticWorkload.parse(w.describe(), 9)).isEqualTo(w);
    }

    @Test
    void parse_requestsOnly_boundByCountAlone() {
        SyntheticWorkload w = SyntheticWorkload.parse("rate=1,requests=500", 1);

        assertThat(w.durationSeconds()).isZero();
        assertThat(all(w)).hasSize(500);
    }

    @Test
    void parse_badInput_everyProblemNamed() {
        assertThatThrownBy(() -> SyntheticWorkload.parse("rate=fast,speed=3,duration=soon", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'speed=3' (expected key=value")
                .hasMessageContaining("rate: 'fast' (expected a number)")
                .hasMessageContaining("duration: 'soon'");
        assertThatThrownBy(() -> SyntheticWorkload.parse("prefix-groups=2", 1))
                .hasMessageContaining("prefix-tokens: 0 with prefix-groups 2 (expected both 0, or both > 0)");
    }

    @Test
    void iterator_poissonArrivals_rateAndOrderAsAsked() {
        List<SimRequest> requests = all(SyntheticWorkload.parse("rate=200,duration=100s", 3));

        assertThat((double) requests.size()).isCloseTo(20_000, within(600.0)); // 3 standard deviations: 424
        assertThat(requests).isSortedAccordingTo((a, b) -> Long.compare(a.arrivalNanos(), b.arrivalNanos()));
        assertThat(requests.getLast().arrivalNanos()).isLessThan(100_000_000_000L);
        // exponential gaps: the coefficient of variation is 1
        double[] gaps = new double[requests.size() - 1];
        for (int i = 1; i < requests.size(); i++) {
            gaps[i - 1] = requests.get(i).arrivalNanos() - requests.get(i - 1).arrivalNanos();
        }
        double mean = Arrays.stream(gaps).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(gaps).map(g -> (g - mean) * (g - mean)).sum() / gaps.length);
        assertThat(mean).isCloseTo(5e6, within(0.05 * 5e6));
        assertThat(sd / mean).isCloseTo(1.0, within(0.05));
    }

    @Test
    void iterator_logNormalLengths_medianAsAsked() {
        List<SimRequest> requests = all(SyntheticWorkload.parse(
                "rate=1000,requests=10000,prompt=300,prompt-spread=0.7,output=50,output-spread=0.3", 4));

        int[] prompts = requests.stream().mapToInt(r -> ((SimPrompt.Synthetic) r.prompt()).tokens()).sorted().toArray();
        int[] outputs = requests.stream().mapToInt(SimRequest::maxTokens).sorted().toArray();
        assertThat((double) prompts[prompts.length / 2]).isCloseTo(300, within(15.0));
        assertThat((double) outputs[outputs.length / 2]).isCloseTo(50, within(2.0));
        // sigma 0.7: the 84th percentile is e^0.7 times the median
        assertThat(prompts[(int) (prompts.length * 0.8413)] / 300.0).isCloseTo(Math.exp(0.7), within(0.1));
    }

    @Test
    void iterator_prefixGroups_promptIsTheGroupsPrefixThenItsOwnTokens() {
        List<SimRequest> requests = all(SyntheticWorkload.parse(
                "rate=10,requests=200,prompt=100,prefix-groups=3,prefix-tokens=64", 4));

        assertThat(requests).allSatisfy(r -> assertThat(r.prompt()).isInstanceOfSatisfying(SimPrompt.Synthetic.class,
                p -> {
                    assertThat(p.tokens()).isEqualTo(164);
                    assertThat(p.prefixTokens()).isEqualTo(64);
                    assertThat(p.prefixGroup()).isIn("system-0", "system-1", "system-2");
                }));
        assertThat(requests.stream().map(r -> ((SimPrompt.Synthetic) r.prompt()).prefixGroup()).distinct()).hasSize(3);
    }

    @Test
    void iterator_sameSeed_sameRequests_otherSeedOthers() {
        String spec = "rate=50,requests=300,prompt=200,prompt-spread=0.5,output=20,output-spread=0.5";

        assertThat(all(SyntheticWorkload.parse(spec, 1))).isEqualTo(all(SyntheticWorkload.parse(spec, 1)));
        assertThat(all(SyntheticWorkload.parse(spec, 1))).isNotEqualTo(all(SyntheticWorkload.parse(spec, 2)));
    }
}
