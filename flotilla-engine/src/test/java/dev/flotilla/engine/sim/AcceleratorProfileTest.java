package dev.flotilla.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AcceleratorProfileTest {

    private static final List<AcceleratorProfile> HARDWARE = List.of(AcceleratorProfile.H100,
            AcceleratorProfile.A100_80G, AcceleratorProfile.L40S, AcceleratorProfile.L4, AcceleratorProfile.T4);

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"H100", "h100", "A100-80G", "a100-80g", "L40S", "l4", "T4", "ZERO"})
    void named_knownNameInAnyCase_findsTheProfile(String name) {
        assertThat(AcceleratorProfile.named(name).name()).isEqualToIgnoringCase(name);
    }

    @Test
    void named_unknownName_failsListingTheKnownNames() {
        assertThatThrownBy(() -> AcceleratorProfile.named("B200"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'B200'")
                .hasMessageContaining("H100, A100-80G, L40S, L4, T4, zero");
    }

    @Test
    void builtIns_hardwareProfiles_havePositiveCoherentValues() {
        assertThat(HARDWARE).allSatisfy(p -> {
            assertThat(p.memoryGb()).isPositive();
            assertThat(p.bandwidthGbs()).isPositive();
            assertThat(p.tflopsBf16()).isPositive();
            assertThat(p.decodeAlphaMs()).isPositive();
            assertThat(p.decodeBetaMs()).isPositive().isLessThan(p.decodeAlphaMs());
            assertThat(p.prefillGammaMs()).isPositive();
            assertThat(p.prefillDeltaMs()).isPositive().isLessThan(p.decodeBetaMs());
            assertThat(p.kvCacheTokens()).isPositive();
            assertThat(p.maxContextTokens()).isPositive().isLessThanOrEqualTo(p.kvCacheTokens());
            assertThat(p.maxBatchSize()).isPositive();
        });
        assertThat(AcceleratorProfile.builtIns()).containsAll(HARDWARE).contains(AcceleratorProfile.ZERO);
    }

    @Test
    void builtIns_hardwareProfiles_rankAsTheirDatasheetsDo() {
        // Decode is bandwidth-bound: the order of memory bandwidth (T4's 320 GB/s edges out L4's 300).
        assertThat(AcceleratorProfile.H100.decodeAlphaMs()).isLessThan(AcceleratorProfile.A100_80G.decodeAlphaMs());
        assertThat(AcceleratorProfile.A100_80G.decodeAlphaMs()).isLessThan(AcceleratorProfile.L40S.decodeAlphaMs());
        assertThat(AcceleratorProfile.L40S.decodeAlphaMs()).isLessThan(AcceleratorProfile.T4.decodeAlphaMs());
        assertThat(AcceleratorProfile.T4.decodeAlphaMs()).isLessThan(AcceleratorProfile.L4.decodeAlphaMs());
        // Prefill is compute-bound: the order of BF16/FP16 tensor TFLOPS.
        assertThat(AcceleratorProfile.H100.prefillDeltaMs()).isLessThan(AcceleratorProfile.L40S.prefillDeltaMs());
        assertThat(AcceleratorProfile.L40S.prefillDeltaMs()).isLessThan(AcceleratorProfile.A100_80G.prefillDeltaMs());
        assertThat(AcceleratorProfile.A100_80G.prefillDeltaMs()).isLessThan(AcceleratorProfile.L4.prefillDeltaMs());
        assertThat(AcceleratorProfile.L4.prefillDeltaMs()).isLessThan(AcceleratorProfile.T4.prefillDeltaMs());
        // KV capacity follows memory left after the weights.
        assertThat(AcceleratorProfile.H100.kvCacheTokens()).isEqualTo(AcceleratorProfile.A100_80G.kvCacheTokens());
        assertThat(AcceleratorProfile.A100_80G.kvCacheTokens()).isGreaterThan(AcceleratorProfile.L40S.kvCacheTokens());
        assertThat(AcceleratorProfile.L40S.kvCacheTokens()).isGreaterThan(AcceleratorProfile.L4.kvCacheTokens());
        assertThat(AcceleratorProfile.L4.kvCacheTokens()).isGreaterThan(AcceleratorProfile.T4.kvCacheTokens());
    }

    @Test
    void h100_derivedValues_matchTheDocumentedArithmetic() {
        AcceleratorProfile h100 = AcceleratorProfile.H100;
        // 13.48 GB of weights / (3350 GB/s * 0.8)
        assertThat(h100.decodeAlphaMs()).isCloseTo(5.030, within(0.001));
        // 1024 tokens * 524288 B / (3350 GB/s * 0.8) + 13.48 GFLOP / (989 TFLOPS * 0.5)
        assertThat(h100.decodeBetaMs()).isCloseTo(0.2276, within(0.0001));
        assertThat(h100.prefillGammaMs()).isEqualTo(h100.decodeAlphaMs());
        assertThat(h100.prefillDeltaMs()).isCloseTo(0.02726, within(0.00001));
        // (0.9 * 80 GB - 13.48 GB) / 524288 B
        assertThat(h100.kvCacheTokens()).isEqualTo(111_618);
        assertThat(AcceleratorProfile.T4.kvCacheTokens()).isEqualTo(1_754);
        assertThat(AcceleratorProfile.T4.maxContextTokens()).isEqualTo(1_754);
    }

    @Test
    void zero_timing_isFree() {
        AcceleratorProfile zero = AcceleratorProfile.ZERO;

        assertThat(zero.decodeNanos(256)).isZero();
        assertThat(zero.prefillNanos(10_000)).isZero();
        assertThat(zero.kvCacheTokens()).isGreaterThanOrEqualTo(zero.maxBatchSize() * zero.maxContextTokens());
    }

    @Test
    void constructor_contextLargerThanKvCache_failsNamingTheField() {
        assertThatThrownBy(() -> new AcceleratorProfile("x", 1, 1, 1, 1, 1, 1, 1, 4, 100, 200))
                .hasMessage("x.maxContextTokens: 200 (expected <= kvCacheTokens 100)");
        assertThatThrownBy(() -> new AcceleratorProfile("x", 1, 1, 1, -1, 1, 1, 1, 4, 100, 100))
                .hasMessageContaining("x.decodeAlphaMs: -1.0");
    }
}
