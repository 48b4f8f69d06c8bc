package dev.flotilla.planner.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.planner.io.InfernoJson;
import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.GreedySolver;
import dev.flotilla.planner.solver.MilpPlanSolver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The seeded problem generator and the solver comparison behind {@code flotilla plan generate|compare}. */
class PlanComparisonTest {

    @Test
    void generate_sameSeed_sameProblem_otherSeed_otherProblem() {
        Problem a = ProblemGenerator.generate(40, 8, 7, 1.0);
        Problem b = ProblemGenerator.generate(40, 8, 7, 1.0);
        Problem c = ProblemGenerator.generate(40, 8, 8, 1.0);

        String json = InfernoJson.toString(InfernoJson.systemData(a));
        assertThat(InfernoJson.toString(InfernoJson.systemData(b))).isEqualTo(json);
        assertThat(InfernoJson.toString(InfernoJson.systemData(c))).isNotEqualTo(json);
        assertThat(a.servers()).hasSize(40);
        assertThat(a.accelerators().stream().map(x -> x.type()).distinct()).hasSize(8);
        assertThat(a.capacity()).hasSize(8);
        assertThat(a.serviceClasses()).extracting(x -> x.priority()).containsExactly(1, 2, 3, 4);
        assertThat(a.servers()).anyMatch(s -> !s.current().isNone());
    }

    @Test
    void generate_writtenAsSystemData_readsBackToTheSameProblem() {
        Problem p = ProblemGenerator.generate(25, 5, 3, 0.7);

        Problem back = ProblemReader.parseInfernoSystem(InfernoJson.toString(InfernoJson.systemData(p)), "generated");

        assertThat(back.accelerators()).isEqualTo(p.accelerators());
        assertThat(back.models()).isEqualTo(p.models());
        assertThat(back.serviceClasses()).isEqualTo(p.serviceClasses());
        assertThat(back.servers()).isEqualTo(p.servers());
        assertThat(back.capacity()).isEqualTo(p.capacity());
        assertThat(back.optimizer()).isEqualTo(p.optimizer());
    }

    @Test
    void generate_badSizes_saySo() {
        assertThatThrownBy(() -> ProblemGenerator.generate(0, 3, 1, 1)).hasMessage(
                "servers: 0, types: 3 (expected: both >= 1)");
        assertThatThrownBy(() -> ProblemGenerator.generate(3, 3, 1, 0)).hasMessage(
                "capacityScale: 0.0 (expected: > 0)");
    }

    @Test
    void run_greedyAndMilp_rowsWithTimesFromTheTickerAndChangedShares() {
        Problem p = ProblemGenerator.generate(30, 6, 11, 0.6);
        AtomicLong ticks = new AtomicLong();
        PlanComparison comparison = new PlanComparison(() -> ticks.addAndGet(1_000_000)); // each read 1 ms later

        PlanComparison.Report report = comparison.run(p, List.of(
                new GreedySolver(p.optimizer().saturationPolicy(), false), MilpPlanSolver.singleType(),
                new GreedySolver(p.optimizer().saturationPolicy(), false)), 2);

        assertThat(report.servers()).isEqualTo(30);
        assertThat(report.acceleratorTypes()).isEqualTo(6);
        assertThat(report.candidatesOneThread()).isEqualTo(Duration.ofMillis(1));
        assertThat(report.rows()).extracting(PlanComparison.Row::solver).containsExactly("greedy", "milp", "greedy");
        assertThat(report.rows()).extracting(PlanComparison.Row::status).containsExactly("-", "optimal", "-");
        assertThat(report.rows().getFirst().changedShare()).isZero();
        assertThat(report.rows().get(2).changedShare()).isZero(); // the greedy is deterministic
        assertThat(report.rows().get(1).bestSolve()).isEqualTo(Duration.ofMillis(1));
        PlanComparison.Row greedy = report.rows().getFirst();
        PlanComparison.Row milp = report.rows().get(1);
        assertThat(milp.servedByPriority().values().stream().mapToLong(Long::longValue).sum())
                .isGreaterThanOrEqualTo(greedy.servedByPriority().values().stream().mapToLong(Long::longValue).sum());
        assertThat(report.render()).contains("30 servers, 6 accelerator types", "changed vs greedy",
                "milp vs greedy: total cost");
    }
}
