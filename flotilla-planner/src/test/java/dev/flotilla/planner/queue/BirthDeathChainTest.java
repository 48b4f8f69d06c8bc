package dev.flotilla.planner.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BirthDeathChainTest {

    @Test
    void solve_constantRate_matchesMM1KClosedForm() {
        // M/M/1/K: p(n) = (1 - r) r^n / (1 - r^(K+1)) with r = lambda/mu
        double mu = 2;
        double lambda = 1.5;
        int k = 10;
        ChainMetrics m = new BirthDeathChain(new double[] {mu}, k).solve(lambda);
        double r = lambda / mu;
        double p0 = (1 - r) / (1 - Math.pow(r, k + 1));
        double pk = p0 * Math.pow(r, k);
        double inSystem = 0;
        for (int n = 0; n <= k; n++) {
            inSystem += n * p0 * Math.pow(r, n);
        }

        assertThat(m.probEmpty()).isCloseTo(p0, within(1e-12));
        assertThat(m.probFull()).isCloseTo(pk, within(1e-12));
        assertThat(m.throughput()).isCloseTo(lambda * (1 - pk), within(1e-12));
        assertThat(m.avgNumInSystem()).isCloseTo(inSystem, within(1e-12));
        assertThat(m.avgNumInService()).isCloseTo(1 - p0, within(1e-12));
        assertThat(m.avgServiceTime()).isCloseTo(1 / mu, within(1e-12));
        // Little's law
        assertThat(m.avgRespTime() * m.throughput()).isCloseTo(m.avgNumInSystem(), within(1e-12));
        assertThat(m.avgWaitTime()).isCloseTo(m.avgRespTime() - m.avgServiceTime(), within(1e-12));
    }

    @Test
    void solve_batchLimit_inServiceCountsAtMostN() {
        // two servers (batch limit 2, each request served at rate 1): M/M/2/K
        ChainMetrics m = new BirthDeathChain(new double[] {1, 2}, 6).solve(1.8);

        assertThat(m.avgNumInService()).isLessThanOrEqualTo(2).isGreaterThan(0);
        assertThat(m.avgNumInSystem()).isGreaterThan(m.avgNumInService());
        // each request in service completes at rate 1: mean service time is 1
        assertThat(m.avgServiceTime()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void solve_largeBatchAndQueue_noOverflow() {
        // rates rising with the batch make p(n) grow like n^n before normalising; 200! overflows a double
        double[] rates = new double[200];
        Arrays.setAll(rates, i -> (i + 1) * 0.01);
        ChainMetrics m = new BirthDeathChain(rates, 2200).solve(1.9);

        assertThat(m.avgNumInService()).isBetween(189.0, 191.0);
        assertThat(m.throughput()).isCloseTo(1.9, within(1e-9));
        assertThat(Double.isFinite(m.avgRespTime())).isTrue();
    }

    @Test
    void solve_overload_queueFillsAndTurnsRequestsAway() {
        ChainMetrics m = new BirthDeathChain(new double[] {1}, 5).solve(3);

        assertThat(m.throughput()).isLessThan(1).isGreaterThan(0.9);
        assertThat(m.probFull()).isGreaterThan(0.6);
    }

    @Test
    void constructor_badArguments_rejectedWithTheValue() {
        assertThatThrownBy(() -> new BirthDeathChain(new double[] {1, 0}, 4)).hasMessage(
                "serviceRates[1]: 0.0 (expected: > 0)");
        assertThatThrownBy(() -> new BirthDeathChain(new double[] {1, 2}, 1)).hasMessage(
                "capacity: 1 (expected: >= batch limit 2)");
        assertThatThrownBy(() -> new BirthDeathChain(new double[] {1}, 1).solve(0)).hasMessage(
                "lambda: 0.0 (expected: > 0)");
    }
}
