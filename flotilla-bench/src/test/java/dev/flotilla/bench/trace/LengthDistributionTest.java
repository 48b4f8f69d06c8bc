package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LengthDistributionTest {

    @Test
    void empirical_tableFile_drawsValuesInProportionToWeights(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("lengths.csv");
        Files.writeString(table, "value,weight\n# measured\n100,1\n200, 3\n\n800,6\n");
        LengthDistribution.Empirical e = LengthDistribution.Empirical.read(table);
        IntSupplier s = e.sampler(RandomSource.XO_RO_SHI_RO_128_PP.create(1L));

        Map<Integer, Integer> counts = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            counts.merge(s.getAsInt(), 1, Integer::sum);
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrder(100, 200, 800);
        assertThat(counts.get(100) / 50_000.0).isCloseTo(0.1, within(0.01));
        assertThat(counts.get(200) / 50_000.0).isCloseTo(0.3, within(0.01));
        assertThat(counts.get(800) / 50_000.0).isCloseTo(0.6, within(0.01));
    }

    @Test
    void empirical_badRow_namesFileAndLine(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("bad.csv");
        Files.writeString(table, "100,1\n200\n");

        assertThatThrownBy(() -> LengthDistribution.Empirical.read(table))
                .hasMessageContaining("bad.csv:2: '200' (expected value,weight)");
    }

    @Test
    void logNormal_clamped_staysWithinMinAndMax() {
        IntSupplier s = new LengthDistribution.LogNormal(100, 2, 10, 300).sampler(RandomSource.XO_RO_SHI_RO_128_PP.create(3L));

        for (int i = 0; i < 10_000; i++) {
            assertThat(s.getAsInt()).isBetween(10, 300);
        }
    }

    @Test
    void logNormal_badParameters_named() {
        assertThatThrownBy(() -> LengthDistribution.LogNormal.of(0, -1))
                .hasMessageContaining("median: 0.0 (expected >= 1)").hasMessageContaining("sigma: -1.0 (expected >= 0)");
    }
}
