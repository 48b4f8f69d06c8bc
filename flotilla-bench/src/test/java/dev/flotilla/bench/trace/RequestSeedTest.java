package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RequestSeedTest {

    @Test
    void of_sameId_sameSeed() {
        assertThat(RequestSeed.of("r-17")).isEqualTo(RequestSeed.of("r-17"));
        assertThat(RequestSeed.of("r-17", 0)).isEqualTo(RequestSeed.of("r-17"));
    }

    @Test
    void of_distinctIds_distinctSeeds() {
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seeds.add(RequestSeed.of("r-" + i));
        }
        assertThat(seeds).hasSize(10_000);
    }

    @Test
    void of_runSeedNotZero_anotherStream() {
        assertThat(RequestSeed.of("r-1", 7)).isNotEqualTo(RequestSeed.of("r-1"))
                .isNotEqualTo(RequestSeed.of("r-1", 8)).isEqualTo(RequestSeed.of("r-1", 7));
    }
}
