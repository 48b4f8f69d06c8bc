package dev.flotilla.gateway.fleet.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SeriesRingTest {

    @Test
    void since_fewerPointsThanCapacity_returnsAllOldestFirst() {
        SeriesRing ring = new SeriesRing(4);
        ring.append(1000, 1.0);
        ring.append(1500, 2.0);
        assertThat(ring.since(Long.MIN_VALUE)).isEqualTo(new SeriesRing.Points(new long[] {1000, 1500}, new double[] {1, 2}));
    }

    @Test
    void append_beyondCapacity_wrapsAroundAndKeepsNewest() {
        SeriesRing ring = new SeriesRing(3);
        for (int i = 0; i < 7; i++) {
            ring.append(1000L * i, i);
        }
        assertThat(ring.size()).isEqualTo(3);
        assertThat(ring.since(Long.MIN_VALUE))
                .isEqualTo(new SeriesRing.Points(new long[] {4000, 5000, 6000}, new double[] {4, 5, 6}));
    }

    @Test
    void since_afterWrapAround_filtersOlderPointsInclusive() {
        SeriesRing ring = new SeriesRing(4);
        for (int i = 0; i < 6; i++) {
            ring.append(1000L * i, i * 10);
        }
        assertThat(ring.since(3000)).isEqualTo(new SeriesRing.Points(new long[] {3000, 4000, 5000}, new double[] {30, 40, 50}));
        assertThat(ring.since(3001).size()).isEqualTo(2);
        assertThat(ring.since(6000).size()).isZero();
    }

    @Test
    void size_manyAppends_neverExceedsCapacity() {
        SeriesRing ring = new SeriesRing(1800);
        for (int i = 0; i < 10_000; i++) {
            ring.append(i, i);
        }
        assertThat(ring.size()).isEqualTo(1800);
        SeriesRing.Points all = ring.since(Long.MIN_VALUE);
        assertThat(all.size()).isEqualTo(1800);
        assertThat(all.times()[0]).isEqualTo(10_000 - 1800);
        assertThat(all.times()[1799]).isEqualTo(9_999);
    }

    @Test
    void constructor_zeroCapacity_isRefusedNamingTheValue() {
        assertThatThrownBy(() -> new SeriesRing(0)).hasMessage("capacity: 0 (expected at least 1)");
    }
}
