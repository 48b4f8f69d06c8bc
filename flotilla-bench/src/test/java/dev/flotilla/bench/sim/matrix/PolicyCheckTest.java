package dev.flotilla.bench.sim.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The acceptance rules on hand-made cells: ours = "flotilla", baseline = "round-robin". */
class PolicyCheckTest {
    private static final double NaN = Double.NaN;

    /** A cell whose figures are all "good" unless changed: p50 100, p99 TTFT 1000, p99 ITL 50, 10 req/s. */
    private static CellResult cell(String policy, boolean heterogeneous, double load, double p99Ttft, double p99Itl,
                                   double throughput, double goodput) {
        return new CellResult("fleet", heterogeneous, "short-chat", load, policy, 20, load / 5, 1000, 1000, 1000, 1000,
                0, 100, p99Ttft, p99Itl, throughput, throughput * 40, goodput, 1, 0.5, 100, 1000.0, 100.0, 1);
    }

    private static CellResult ours(boolean het, double load, double p99, double itl, double thr, double good) {
        return cell("flotilla", het, load, p99, itl, thr, good);
    }

    private static CellResult rr(boolean het, double load, double p99, double itl, double thr, double good) {
        return cell("round-robin", het, load, p99, itl, thr, good);
    }

    record Expected(PolicyCheck.Rule rule, Metric metric) {
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(Named.of("best everywhere, homogeneous", List.of(
                        ours(false, 80, 500, 50, 10, 9), rr(false, 80, 2000, 60, 10, 8))), List.of()),
                Arguments.of(Named.of("within 3 % on p99 TTFT and throughput", List.of(
                        ours(false, 80, 1029, 50, 9.71, 9), rr(false, 80, 1000, 50, 10, 9))), List.of()),
                Arguments.of(Named.of("3.1 % worse p99 TTFT", List.of(
                        ours(false, 80, 1031, 50, 10, 9), rr(false, 80, 1000, 50, 10, 9))),
                        List.of(new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.P99_TTFT))),
                Arguments.of(Named.of("4 % less goodput, higher is better", List.of(
                        ours(false, 80, 1000, 50, 10, 9.6), rr(false, 80, 1000, 50, 10, 10))),
                        List.of(new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.GOODPUT))),
                Arguments.of(Named.of("heterogeneous 80 %: exactly half of round-robin's p99 passes", List.of(
                        ours(true, 80, 1000, 50, 10, 9), rr(true, 80, 2000, 50, 10, 9))), List.of()),
                Arguments.of(Named.of("heterogeneous 95 %: best but not half of round-robin's", List.of(
                        ours(true, 95, 1500, 50, 10, 9), rr(true, 95, 2000, 50, 10, 9))),
                        List.of(new Expected(PolicyCheck.Rule.NOT_BELOW_BASELINE, Metric.P99_TTFT))),
                Arguments.of(Named.of("heterogeneous 50 %: the half rule does not apply", List.of(
                        ours(true, 50, 1500, 50, 10, 9), rr(true, 50, 2000, 50, 10, 9))), List.of()),
                Arguments.of(Named.of("homogeneous 110 %: the half rule does not apply", List.of(
                        ours(false, 110, 1500, 50, 10, 9), rr(false, 110, 2000, 50, 10, 9))), List.of()),
                Arguments.of(Named.of("nothing completed: missing figures are worst", List.of(
                        ours(false, 80, NaN, NaN, 0, 0), rr(false, 80, 2000, 50, 10, 9))),
                        List.of(new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.P99_TTFT),
                                new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.P99_ITL),
                                new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.THROUGHPUT),
                                new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.OUTPUT_THROUGHPUT),
                                new Expected(PolicyCheck.Rule.NOT_NEAR_BEST, Metric.GOODPUT))),
                Arguments.of(Named.of("heterogeneous 80 % without the baseline", List.of(
                        ours(true, 80, 1000, 50, 10, 9))),
                        List.of(new Expected(PolicyCheck.Rule.MISSING, Metric.P99_TTFT))),
                Arguments.of(Named.of("ours not run", List.of(rr(false, 80, 1000, 50, 10, 9))),
                        List.of(new Expected(PolicyCheck.Rule.MISSING, null))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void check_handMadeCells_listsExactlyTheBrokenRules(List<CellResult> cells, List<Expected> expected) {
        List<PolicyCheck.Violation> violations = PolicyCheck.of("flotilla", "round-robin").check(cells);

        assertThat(violations).extracting(v -> new Expected(v.rule(), v.metric())).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void checkMarkdown_handMadeCells_listsOneRowPerViolation(List<CellResult> cells, List<Expected> expected) {
        PolicyCheck check = PolicyCheck.of("flotilla", "round-robin");

        String md = MatrixFiles.checkMarkdown(check, check.check(cells));

        assertThat(md.lines().filter(l -> l.startsWith("| fleet | workload |")).count()).isEqualTo(expected.isEmpty() ? 0 : 1);
        assertThat(md.lines().filter(l -> l.startsWith("| fleet | short-chat")).count()).isEqualTo(expected.size());
    }
}
