package dev.flotilla.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgreementTest {

    private static Map<String, Object> result(double ttft50, double ttft90, double e2e50, double e2e90) {
        Map<String, Object> m = new HashMap<>();
        m.put("median_ttft_ms", ttft50);
        m.put("p90_ttft_ms", ttft90);
        m.put("median_e2el_ms", e2e50);
        m.put("p90_e2el_ms", e2e90);
        m.put("completed", 10);
        m.put("total_output_tokens", 400);
        return m;
    }

    @Test
    void of_allWithinTolerance_agrees() {
        Agreement a = Agreement.of(result(100, 200, 1000, 2000), result(109, 182, 1050, 2000), 0.10);

        assertThat(a.agrees()).isTrue();
        assertThat(a.figures()).extracting(Agreement.Figure::relativeDifference)
                .containsExactly(0.09, -0.09, 0.05, 0.0);
        assertThat(a.table()).contains("TTFT p50").contains("+9.0%").contains("the simulation agrees");
    }

    @Test
    void of_oneFigureOutside_disagreesNamingIt() {
        Agreement a = Agreement.of(result(100, 200, 1000, 2000), result(100, 200, 1000, 2300), 0.10);

        assertThat(a.agrees()).isFalse();
        assertThat(a.disagreements()).extracting(Agreement.Figure::name).containsExactly("E2E p90");
        assertThat(a.table()).contains("+15.0% OUT").contains("disagrees on E2E p90");
    }

    @Test
    void of_missingFigure_failsNamingSideAndKey() {
        Map<String, Object> sim = result(1, 1, 1, 1);
        sim.put("p90_ttft_ms", null);

        assertThatThrownBy(() -> Agreement.of(result(1, 1, 1, 1), sim, 0.1))
                .hasMessageContaining("sim p90_ttft_ms: null (expected a latency > 0 ms)");
    }

    @Test
    void new_negativeTolerance_rejected() {
        assertThatThrownBy(() -> Agreement.of(result(1, 1, 1, 1), result(1, 1, 1, 1), -0.1))
                .hasMessageContaining("tolerance: -0.1");
    }
}
