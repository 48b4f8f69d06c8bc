package dev.flotilla.planner.perf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PerformanceModelTest {

    private static final RequestSize REQUEST = new RequestSize(128, 1024);

    @Test
    void decodePrefill_serviceTime_isOnePrefillAndOutMinusOneDecodes() {
        DecodePrefillModel m = new DecodePrefillModel(17.15, 0.34, 137.2, 0.010625);

        // prefill 137.2 + 0.010625*128*4, decode (17.15 + 0.34*4) x 1023
        assertThat(m.serviceTime(4, REQUEST)).isCloseTo(137.2 + 0.010625 * 128 * 4 + 1023 * (17.15 + 0.34 * 4),
                within(1e-9));
        assertThat(m.serviceTime(4, new RequestSize(0, 1024))).isCloseTo(1023 * (17.15 + 0.34 * 4), within(1e-9));
    }

    @Test
    void decodePrefill_effectiveConcurrency_invertsTheServiceTime() {
        DecodePrefillModel m = new DecodePrefillModel(17.15, 0.34, 137.2, 0.010625);
        double service = m.serviceTime(7, REQUEST);

        Latencies l = m.latencies(new ServiceStats(6.2, service, 11), REQUEST, 19);

        assertThat(l.itl()).isCloseTo(m.decodeTime(7), within(1e-9));
        assertThat(l.prefill()).isCloseTo(m.prefillTime(128, 7), within(1e-9));
        assertThat(l.ttft()).isCloseTo(11 + m.prefillTime(128, 7), within(1e-9));
        // clamped to the batch limit
        assertThat(m.latencies(new ServiceStats(6, service, 0), REQUEST, 5).itl()).isCloseTo(m.decodeTime(5),
                within(1e-9));
    }

    @Test
    void iteration_formulas_matchQueueAnalysisV030() {
        IterationModel m = new IterationModel(12, 0.05, 0.0005);
        RequestSize r = new RequestSize(128, 512);
        double iteration = 12 + 3 * (0.05 * 640.0 / 513 + 0.0005 * (128 + 256));

        assertThat(m.iterationTime(r, 3)).isCloseTo(iteration, within(1e-12));
        assertThat(m.prefillTime(r, 3)).isCloseTo(iteration + 0.0505 * 128, within(1e-12));
        assertThat(m.decodeTime(r, 3)).isCloseTo(iteration + 0.05 + 0.0005 * 384, within(1e-12));
        assertThat(m.serviceTime(3, r)).isCloseTo(m.prefillTime(r, 3) + 512 * m.decodeTime(r, 3), within(1e-9));
        Latencies l = m.latencies(new ServiceStats(3, m.serviceTime(3, r), 7), r, 48);
        assertThat(l.itl()).isCloseTo(m.decodeTime(r, 3), within(1e-9));
        assertThat(l.ttft()).isCloseTo(7 + m.prefillTime(r, 3) + m.decodeTime(r, 3), within(1e-9));
    }

    @Test
    void chunked_chunks_growWhenTheTokenBudgetBinds() {
        ChunkedIterationModel roomy = ChunkedIterationModel.of(12, 0.05, 0.0005);
        ChunkedIterationModel tight = new ChunkedIterationModel(12, 0.05, 0.0005, 600);
        RequestSize r = new RequestSize(512, 64);

        assertThat(roomy.chunks(r, 48)).isEqualTo(1);
        // one chunk: floor(65 * (600 - 512) / 576) = 9 requests; two: floor(66 * 344 / 576) = 39
        assertThat(tight.chunks(r, 9)).isEqualTo(1);
        assertThat(tight.chunks(r, 10)).isEqualTo(2);
        assertThat(tight.chunks(r, 39)).isEqualTo(2);
        assertThat(tight.chunks(r, 40)).isEqualTo(3);
        assertThat(tight.serviceTime(40, r)).isGreaterThan(roomy.serviceTime(40, r));
    }

    @Test
    void chunked_oneChunk_ownWorkCountedOnce() {
        ChunkedIterationModel m = ChunkedIterationModel.of(12, 0.05, 0.0005);
        RequestSize r = new RequestSize(128, 512);
        double wPrefill = (0.05 + 0.0005) * 128;
        double wDecode = 0.05 * 512 + 0.0005 * 512 * (128 + 256.5);
        double delta = (wPrefill + wDecode) / 513;

        assertThat(m.serviceTime(10, r)).isCloseTo(513 * (12 + 10 * delta), within(1e-9));
        assertThat(m.prefillTime(r, 10, 1)).isCloseTo(12 + 9 * delta + wPrefill, within(1e-9));
        assertThat(m.tokenTime(r, 10, 1)).isCloseTo(12 + 9 * delta + 0.05 + 0.0005 * 384.5, within(1e-9));
    }

    @Test
    void idle_figures_asInferno() {
        assertThat(new DecodePrefillModel(10, 1, 100, 0.5).idle(8))
                .isEqualTo(new IdleFigures(11, 100.5, 8 / (100.5 + 18)));
        assertThat(new IterationModel(10, 1, 0.5).idle(8)).isEqualTo(new IdleFigures(11, 15, 8 / (15 + 18.0)));
    }
}
