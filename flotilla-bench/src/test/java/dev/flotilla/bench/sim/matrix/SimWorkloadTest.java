package dev.flotilla.bench.sim.matrix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The built-in workloads: request rate as asked, lengths and structure as documented. */
class SimWorkloadTest {
    private static final double RATE = 20;
    private static final double SECONDS = 600;

    static Stream<SimWorkload> workloads() {
        return SimWorkload.builtIns().stream();
    }

    private static List<TraceRecord> trace(SimWorkload w) {
        return TraceGenerator.generate(w.trace(RATE, SECONDS, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void trace_anyWorkload_offersTheRequestRateAskedFor(SimWorkload workload) {
        List<TraceRecord> records = trace(workload);

        // multi-turn loses the later turns of conversations started near the end: a few per cent
        assertThat(records.size() / SECONDS).isBetween(RATE * 0.93, RATE * 1.05);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void trace_anyWorkload_promptAndReservationFitTheLargerProfilesContext(SimWorkload workload) {
        assertThat(trace(workload)).allSatisfy(r -> assertThat(r.promptTokens() + CapacityModel.CHAT_TEMPLATE_TOKENS)
                .isLessThan(4096));
    }

    @Test
    void trace_twoTenants_splitsRequestsByShare() {
        List<TraceRecord> records = trace(SimWorkload.TWO_TENANTS);

        double interactive = records.stream().filter(r -> r.tenant().equals("interactive")).count()
                / (double) records.size();
        assertThat(interactive).isBetween(0.72, 0.78);
        double batchPrompt = records.stream().filter(r -> r.tenant().equals("batch"))
                .mapToInt(TraceRecord::promptTokens).average().orElseThrow();
        assertThat(batchPrompt).isGreaterThan(1300);
    }

    @Test
    void trace_multiTurn_everyConversationSharesASystemPromptAndGrows() {
        List<TraceRecord> records = trace(SimWorkload.MULTI_TURN);

        assertThat(records).allSatisfy(r -> {
            assertThat(r.session()).isNotNull();
            assertThat(((TraceRecord.Synthetic) r.prompt()).prefixTokens()).isEqualTo(1000);
        });
        assertThat(records.stream().map(r -> ((TraceRecord.Synthetic) r.prompt()).prefixGroup()).distinct())
                .hasSize(8);
        assertThat(records.stream().filter(r -> r.turn() == 4).mapToInt(TraceRecord::promptTokens).average()
                .orElseThrow()).isBetween(1600.0, 2000.0);
    }

    @Test
    void trace_longPrompt_promptsAroundTwoAndAHalfThousandTokens() {
        double mean = trace(SimWorkload.LONG_PROMPT).stream().mapToInt(TraceRecord::promptTokens).average()
                .orElseThrow();

        assertThat(mean).isBetween(2300.0, 2700.0);
    }

    @Test
    void named_unknownName_listsTheKnownOnes() {
        assertThat(SimWorkload.named(" Short-Chat ")).isSameAs(SimWorkload.SHORT_CHAT);
        assertThatThrownBy(() -> SimWorkload.named("chat"))
                .hasMessage("workload: 'chat' (expected one of: short-chat, long-prompt, multi-turn, two-tenants)");
    }

    @Test
    void trace_rateNotPositive_failsNamingIt() {
        assertThatThrownBy(() -> SimWorkload.SHORT_CHAT.trace(0, 10, 1)).hasMessageContaining("rate: 0.0");
    }
}
