package dev.flotilla.planner.candidate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.perf.DecodePrefillModel;
import dev.flotilla.planner.testdata.InfernoTestData;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CandidatesTest {

    private static final Load LOAD = new Load(60, 128, 1024);

    private static Problem v1Small() {
        return ProblemReader.read(InfernoTestData.dir(InfernoTestData.V1_SMALL));
    }

    private static Server server(boolean keep, int minReplicas, int maxBatch, Load load, CurrentAllocation current) {
        return new Server("s", "Premium", "llama_13b", keep, minReplicas, maxBatch, load, current);
    }

    private static Candidate on(Problem p, Server s, String accelerator) {
        return Candidates.candidates(p.withServers(List.of(s)), s).stream()
                .filter(c -> c.accelerator().equals(accelerator)).findFirst().orElseThrow();
    }

    static Stream<Arguments> samples() {
        return Stream.of(InfernoTestData.V1_SMALL, InfernoTestData.V1_LARGE, InfernoTestData.V2_SMALL,
                InfernoTestData.V2_LARGE).map(s -> Arguments.of(Named.of(s.replaceFirst("-sampledata.*", ""), s)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void candidates_everySampleServer_meetSlosAtTheirShareOfTheLoad(String sample) {
        Problem p = ProblemReader.read(InfernoTestData.dir(sample));
        int checked = 0;
        for (Server s : p.servers()) {
            ModelTarget t = p.targetOf(s);
            double rate = t.sloTps() > 0 ? t.sloTps() / s.load().avgOutTokens() : s.load().requestsPerSecond();
            for (Candidate c : Candidates.candidates(p, s)) {
                Accelerator a = p.accelerator(c.accelerator()).orElseThrow();
                ModelPerf perf = p.perf(s.model(), a.name()).orElseThrow();
                assertThat(c.itl()).as(c.toString()).isLessThanOrEqualTo(t.sloItl() * (1 + 1e-6));
                assertThat(c.ttft()).as(c.toString()).isLessThanOrEqualTo(t.sloTtft() * (1 + 1e-6));
                assertThat(rate).as(c.toString()).isLessThanOrEqualTo(c.replicas() * c.maxRatePerReplica() * (1 + 1e-12))
                        .isGreaterThan((c.replicas() - 1) * c.maxRatePerReplica());
                assertThat(c.cost()).isCloseTo(a.cost() * perf.accCount() * c.replicas(), within(1e-9));
                assertThat(c.units()).isEqualTo(c.replicas() * perf.accCount() * a.multiplicity());
                assertThat(c.value()).isCloseTo(1.1 * c.cost(), within(1e-9));
                assertThat(c.batchSize()).isEqualTo(perf.batchLimitFor(s.load().avgOutTokens()));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(p.servers().size());
    }

    @Test
    void candidates_minNumReplicas_raisesReplicasAndLowersLatency() {
        Problem p = v1Small();
        Candidate plain = on(p, server(false, 0, 0, LOAD, CurrentAllocation.NONE), "G2");
        Candidate raised = on(p, server(false, plain.replicas() + 3, 0, LOAD, CurrentAllocation.NONE), "G2");

        assertThat(raised.replicas()).isEqualTo(plain.replicas() + 3);
        assertThat(raised.cost()).isEqualTo(plain.cost() / plain.replicas() * raised.replicas());
        assertThat(raised.ttft()).isLessThan(plain.ttft());
        assertThat(raised.maxRatePerReplica()).isEqualTo(plain.maxRatePerReplica());
    }

    @Test
    void candidates_serverMaxBatchSize_overridesModelData() {
        Candidate c = on(v1Small(), server(false, 0, 5, LOAD, CurrentAllocation.NONE), "G2");

        assertThat(c.batchSize()).isEqualTo(5);
    }

    @Test
    void candidates_keepAccelerator_onlyTheCurrentOne() {
        CurrentAllocation onA100 = new CurrentAllocation("A100", 4, 16, 160);
        Problem p = v1Small();
        Server s = server(true, 0, 0, LOAD, onA100);

        assertThat(Candidates.candidates(p.withServers(List.of(s)), s)).extracting(Candidate::accelerator)
                .containsExactly("A100");
    }

    @Test
    void candidates_noTraffic_minReplicasOrNothing() {
        Problem p = v1Small();
        Candidate none = on(p, server(false, 0, 0, new Load(0, 128, 1024), CurrentAllocation.NONE), "G2");
        Candidate two = on(p, server(false, 2, 0, new Load(0, 128, 1024), CurrentAllocation.NONE), "G2");
        DecodePrefillModel g2 = (DecodePrefillModel) p.perf("llama_13b", "G2").orElseThrow().perf();

        assertThat(none.replicas()).isZero();
        assertThat(none.cost()).isZero();
        assertThat(none.units()).isZero();
        assertThat(two.replicas()).isEqualTo(2);
        assertThat(two.cost()).isEqualTo(2 * 23.0);
        assertThat(two.batchSize()).isEqualTo(p.perf("llama_13b", "G2").orElseThrow().maxBatchSize());
        assertThat(two.itl()).isCloseTo(g2.alpha() + g2.beta(), within(1e-9));
        assertThat(two.ttft()).isCloseTo(g2.gamma() + g2.delta(), within(1e-9));
    }

    @Test
    void candidates_throughputTarget_sizedForTargetTokensPerSecond() {
        Problem p = v1Small();
        List<ServiceClass> classes = new ArrayList<>(p.serviceClasses());
        classes.add(new ServiceClass("Batch", 4, List.of(new ModelTarget("llama_13b", 0, 0, 2000))));
        Problem withBatch = new Problem(p.accelerators(), p.capacity(), p.models(), classes,
                List.of(new Server("b", "Batch", "llama_13b", false, 0, 0, LOAD, CurrentAllocation.NONE)),
                p.optimizer());
        Server b = withBatch.servers().getFirst();

        for (Candidate c : Candidates.candidates(withBatch, b)) {
            double rate = 2000.0 / 1024;
            assertThat(c.replicas()).as(c.accelerator()).isEqualTo((int) Math.ceil(rate / c.maxRatePerReplica()));
            assertThat(c.rho()).isGreaterThan(0);
        }
        assertThat(Candidates.candidates(withBatch, b)).isNotEmpty();
    }

    @Test
    void evaluate_itlTargetBelowALoneRequest_infeasibleWithReason() {
        Problem p = v1Small();
        Server s = new Server("s", "Strict", "granite_13b", false, 0, 0, LOAD, CurrentAllocation.NONE);
        List<ServiceClass> classes = new ArrayList<>(p.serviceClasses());
        classes.add(new ServiceClass("Strict", 1, List.of(new ModelTarget("granite_13b", 40, 0, 0))));
        Problem strict = new Problem(p.accelerators(), p.capacity(), p.models(), classes, List.of(s), p.optimizer());
        // granite_13b on AIU2 decodes at 205.8 + 4.1 n ms, above the 40 ms ITL target
        Evaluation e = Candidates.evaluate(strict, s, strict.accelerator("AIU2").orElseThrow());

        assertThat(e).isInstanceOfSatisfying(Evaluation.Infeasible.class,
                i -> assertThat(i.reason()).isEqualTo("ITL target 40 ms cannot be met at any rate (at least 209.9 ms with batch limit 25)"));
    }

    @Test
    void evaluate_noPerformanceData_infeasibleWithReason() {
        Problem p = v1Small();
        List<Accelerator> accs = new ArrayList<>(p.accelerators());
        accs.add(Accelerator.of("H100", "H100", 1, 75));
        Problem more = new Problem(accs, p.capacity(), p.models(), p.serviceClasses(), p.servers(), p.optimizer());

        Evaluation e = Candidates.evaluate(more, more.servers().getFirst(), more.accelerator("H100").orElseThrow());

        assertThat(e).isEqualTo(new Evaluation.Infeasible("H100", "no performance data for model llama_13b"));
    }

    static Stream<Arguments> penalties() {
        CurrentAllocation none = CurrentAllocation.NONE;
        CurrentAllocation threeOnX = new CurrentAllocation("X", 3, 8, 30);
        return Stream.of(
                Arguments.of(Named.of("from nothing: 1.1 x cost", none), "X", 2, 20.0, 22.0),
                Arguments.of(Named.of("nothing to nothing", none), "X", 0, 0.0, 0.0),
                Arguments.of(Named.of("no change", threeOnX), "X", 3, 30.0, 0.0),
                Arguments.of(Named.of("more replicas: cost difference", threeOnX), "X", 5, 50.0, 20.0),
                Arguments.of(Named.of("fewer replicas: negative difference", threeOnX), "X", 1, 10.0, -20.0),
                Arguments.of(Named.of("other accelerator: difference + 10% of both", threeOnX), "Y", 1, 25.0, 0.5),
                Arguments.of(Named.of("to zero replicas", threeOnX), "X", 0, 0.0, -27.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void transitionPenalty_table(CurrentAllocation current, String accelerator, int replicas, double cost,
            double expected) {
        assertThat(Candidates.transitionPenalty(current, accelerator, replicas, cost)).isCloseTo(expected, within(1e-9));
    }
}
