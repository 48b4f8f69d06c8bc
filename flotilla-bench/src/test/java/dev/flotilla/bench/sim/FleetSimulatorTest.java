package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed cases on a test accelerator with round timings: a prefill of t tokens takes
 * 20 + 0.1 t ms, a decode step of a batch of n takes 10 + n ms. Prompts are synthetic and sent as
 * text completions, so the engine counts exactly the tokens asked for; max_tokens of 4 ends every
 * generation at 4 tokens (the simulated text is never shorter than 6).
 */
class FleetSimulatorTest {
    static final long MS = 1_000_000L;

    static AcceleratorProfile testProfile(int maxBatch) {
        return new AcceleratorProfile("test", 0, 0, 0, 10, 1, 20, 0.1, maxBatch, 100_000, 4096);
    }

    static FleetSpec fleet(AcceleratorProfile profile, int nodes) {
        return FleetSpec.of("m", List.of(FleetSpec.NodeGroup.of(profile, nodes)));
    }

    static SimRequest request(String id, long arrivalMs, int promptTokens) {
        return SimRequest.of(id, arrivalMs * MS, SimPrompt.Synthetic.of(promptTokens), 4);
    }

    /** Runs the requests and returns the report and every result by request id. */
    static Run simulate(FleetSpec fleet, List<SimRequest> requests) {
        return simulate(FleetSimulator.builder(fleet), requests);
    }

    static Run simulate(FleetSimulator.Builder builder, List<SimRequest> requests) {
        Map<String, SimResult> results = new LinkedHashMap<>();
        SimReport report = builder.endpoint(Endpoint.COMPLETIONS)
                .results(r -> assertThat(results.put(r.request().id(), r)).as("one result per request").isNull())
                .build().run(requests);
        return new Run(report, results);
    }

    record Run(SimReport report, Map<String, SimResult> results) {
        SimResult.Completed completed(String id) {
            assertThat(results.get(id)).isInstanceOf(SimResult.Completed.class);
            return (SimResult.Completed) results.get(id);
        }
    }

    @Test
    void run_iterationOverhead_everyEngineEventThatLate() {
        Run run = simulate(fleet(testProfile(2), 1).withIterationOverhead(Duration.ofMillis(1)),
                List.of(request("a", 0, 100)));

        SimResult.Completed a = run.completed("a");
        // the engine's start (1 ms late), then the prefill ends 1 ms late: 1 + 30 + 1
        assertThat(a.ttftNanos()).isEqualTo(32 * MS);
        // then three decode steps of 11 ms, each 1 ms late
        assertThat(a.e2elNanos()).isEqualTo(68 * MS);
        assertThat(run.report().bench().run()).containsEntry("iteration_overhead_ms", 1.0);
    }

    @Test
    void run_oneNodeOneRequest_prefillThenDecodeSteps() {
        Run run = simulate(fleet(testProfile(2), 1), List.of(request("a", 0, 100)));

        SimResult.Completed a = run.completed("a");
        assertThat(a.ttftNanos()).isEqualTo(30 * MS);           // 20 + 0.1 * 100
        assertThat(a.e2elNanos()).isEqualTo(63 * MS);           // three decode steps of 10 + 1
        assertThat(a.promptTokens()).isEqualTo(100);
        assertThat(a.outputTokens()).isEqualTo(4);
        assertThat(a.tpotNanos()).isEqualTo(11.0 * MS);
        assertThat(a.node()).isEqualTo("sim-test-1");
        BenchReport r = run.report().bench();
        assertThat(r.completed()).isEqualTo(1);
        assertThat(r.failed()).isZero();
        assertThat(r.duration()).isEqualTo(0.063);
        assertThat(r.itl().count()).isEqualTo(3);
        assertThat(r.itl().mean()).isEqualTo(11.0);
        assertThat(r.ttft().p50()).isCloseTo(30.0, within(0.001 * 30)); // HdrHistogram: 3 significant digits
        assertThat(r.e2el().max()).isEqualTo(63.0);
        assertThat(r.totalInputTokens()).isEqualTo(100);
        assertThat(r.totalOutputTokens()).isEqualTo(4);
        assertThat(run.report().nodes().getFirst().busySeconds()).isCloseTo(0.063, within(1e-12));
    }

    @Test
    void run_twoRequestsArrivingTogether_shareThePrefillAndTheDecodeSteps() {
        Run run = simulate(fleet(testProfile(2), 1), List.of(request("a", 0, 100), request("b", 0, 100)));

        for (String id : List.of("a", "b")) {
            SimResult.Completed c = run.completed(id);
            assertThat(c.ttftNanos()).as(id).isEqualTo(40 * MS);   // 20 + 0.1 * 200: one prefill of both
            assertThat(c.e2elNanos()).as(id).isEqualTo(76 * MS);   // three steps of 10 + 2
        }
        assertThat(run.report().bench().itl().mean()).isEqualTo(12.0);
    }

    @Test
    void run_batchFull_thirdRequestWaitsForTheBatchToEmpty() {
        Run run = simulate(fleet(testProfile(2), 1),
                List.of(request("a", 0, 100), request("b", 0, 100), request("c", 0, 100)));

        assertThat(run.completed("a").e2elNanos()).isEqualTo(76 * MS);
        assertThat(run.completed("b").e2elNanos()).isEqualTo(76 * MS);
        SimResult.Completed c = run.completed("c");
        // admitted when a and b leave at 76 ms: prefill 30 ms, then steps of 10 + 1
        assertThat(c.ttftNanos()).isEqualTo(106 * MS);
        assertThat(c.e2elNanos()).isEqualTo(139 * MS);
        assertThat(run.report().bench().duration()).isEqualTo(0.139);
    }

    @Test
    void run_identicalLongPromptLater_hitsThePrefixCacheAndPrefillsOneToken() {
        SimPrompt shared = new SimPrompt.Synthetic(160, "system", 160); // ten full 16-token blocks
        Run run = simulate(fleet(testProfile(2), 1), List.of(
                SimRequest.of("a", 0, shared, 4), SimRequest.of("b", 1000 * MS, shared, 4)));

        assertThat(run.completed("a").ttftNanos()).isEqualTo(36 * MS);       // 20 + 0.1 * 160
        // all but the last prompt token cached: 20 + 0.1 * 1
        assertThat(run.completed("b").ttftNanos()).isEqualTo(20_100_000L);
        assertThat(run.completed("b").e2elNanos()).isEqualTo(20_100_000L + 33 * MS);
        assertThat(run.report().prefixQueriedTokens()).isEqualTo(320);
        assertThat(run.report().prefixHitTokens()).isEqualTo(159);
        assertThat(run.report().prefixCacheHitRate()).isEqualTo(159 / 320.0);
    }

    @Test
    void run_prefixCachingOff_identicalPromptPrefillsInFull() {
        SimPrompt shared = new SimPrompt.Synthetic(160, "system", 160);
        FleetSpec fleet = FleetSpec.of("m", List.of(new FleetSpec.NodeGroup(null, testProfile(2), 1, false)));
        Run run = simulate(fleet, List.of(SimRequest.of("a", 0, shared, 4), SimRequest.of("b", 1000 * MS, shared, 4)));

        assertThat(run.completed("b").ttftNanos()).isEqualTo(36 * MS);
        assertThat(run.report().prefixQueriedTokens()).isZero();
        assertThat(run.report().prefixCacheHitRate()).isNaN();
    }

    @Test
    void run_leastRequestsOverTwoNodes_sendsEachRequestToTheNodeWithFewestOutstanding() {
        Run run = simulate(fleet(testProfile(2), 2).withPolicy("least-requests"), List.of(
                request("long", 0, 1000),    // node 1 (tie, first in turn): prefill 120 ms, ends at 153 ms
                request("short", 1, 100),    // node 2: node 1 has one outstanding; ends at 64 ms
                request("third", 100, 100))); // node 1 still busy, node 2 idle: node 2

        assertThat(run.completed("long").node()).isEqualTo("sim-test-1");
        assertThat(run.completed("short").node()).isEqualTo("sim-test-2");
        assertThat(run.completed("third").node()).isEqualTo("sim-test-2");
        assertThat(run.completed("long").e2elNanos()).isEqualTo(153 * MS);
        assertThat(run.completed("short").ttftNanos()).isEqualTo(30 * MS);
        assertThat(run.completed("third").ttftNanos()).isEqualTo(30 * MS);
        assertThat(run.report().nodes()).extracting(SimReport.NodeReport::served).containsExactly(1L, 2L);
    }

    @Test
    void run_overheads_addToTtftAndEndToEndButNotToInterTokenLatency() {
        FleetSpec fleet = fleet(testProfile(2), 1).withOverhead(Duration.ofMillis(5), Duration.ofMillis(2));
        Run run = simulate(fleet, List.of(request("a", 0, 100)));

        assertThat(run.completed("a").ttftNanos()).isEqualTo(37 * MS);
        assertThat(run.completed("a").e2elNanos()).isEqualTo(70 * MS);
        assertThat(run.report().bench().itl().mean()).isEqualTo(11.0);
    }

    @Test
    void run_chatEndpoint_promptUnderTheEnginesChatTemplate() {
        Map<String, SimResult> results = new LinkedHashMap<>();
        FleetSimulator.builder(fleet(testProfile(2), 1)).results(r -> results.put(r.request().id(), r)).build()
                .run(List.of(request("a", 0, 100)));

        // "user: <prompt>\nassistant:" adds user, :, assistant and : to the 100 prompt tokens
        SimResult.Completed a = (SimResult.Completed) results.get("a");
        assertThat(a.promptTokens()).isEqualTo(104);
        assertThat(a.ttftNanos()).isEqualTo(30_400_000L);
    }

    @Test
    void run_promptLongerThanTheContext_rejectedAndCountedWithTheNodesStatus() {
        Run run = simulate(fleet(testProfile(2), 1), List.of(request("huge", 0, 4096), request("ok", 0, 100)));

        assertThat(run.results().get("huge")).isInstanceOfSatisfying(SimResult.Rejected.class, r -> {
            assertThat(r.reason()).isEqualTo(SimResult.RejectReason.PROMPT_TOO_LONG);
            assertThat(r.node()).isEqualTo("sim-test-1");
            assertThat(r.detail()).contains("4096");
        });
        assertThat(run.completed("ok").ttftNanos()).isEqualTo(30 * MS); // alone in its prefill
        assertThat(run.report().bench().failed()).isEqualTo(1);
        assertThat(run.report().bench().errorCounts()).containsExactly(Map.entry("http_4xx", 1L));
        assertThat(run.report().bench().errorExamples()).containsEntry("http_4xx", ((SimResult.Rejected) run.results()
                .get("huge")).detail());
        assertThat(run.report().bench().httpStatuses()).containsExactly(Map.entry(400, 1L));
        assertThat(run.report().nodes().getFirst().refused()).isEqualTo(1);
    }

    @Test
    void run_noCandidate_rejectedAsNoNode() {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker("none", () -> new Picker() {
            @Override
            public String type() {
                return "none";
            }

            @Override
            public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
                return -1;
            }
        });
        Run run = simulate(FleetSimulator.builder(fleet(testProfile(2), 1).withPolicy("none")).plugins(plugins),
                List.of(request("a", 0, 100)));

        assertThat(run.results().get("a")).isInstanceOfSatisfying(SimResult.Rejected.class,
                r -> assertThat(r.reason()).isEqualTo(SimResult.RejectReason.NO_NODE));
        assertThat(run.report().bench().httpStatuses()).containsExactly(Map.entry(503, 1L));
        assertThat(run.report().bench().completed()).isZero();
    }

    @Test
    void build_unknownPolicy_failsNamingTheKnownOnes() {
        assertThatThrownBy(() -> FleetSimulator.builder(fleet(testProfile(2), 1).withPolicy("fastest")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("routing.policy: \"fastest\"")
                .hasMessageContaining("least-requests");
    }

    @Test
    void run_requestsOutOfOrder_failsNamingTheRequest() {
        FleetSimulator sim = FleetSimulator.builder(fleet(testProfile(2), 1)).build();

        assertThatThrownBy(() -> sim.run(List.of(request("a", 10, 100), request("b", 5, 100))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("request b: arrival 5000000 ns (expected >= 10000000 ns");
    }

    @Test
    void run_noRequests_emptyReport() {
        BenchReport r = FleetSimulator.builder(fleet(testProfile(2), 2)).build().run(List.of()).bench();

        assertThat(r.completed()).isZero();
        assertThat(r.duration()).isZero();
        assertThat(r.requestThroughput()).isZero();
        assertThat(r.ttft().mean()).isNaN();
    }

    @Test
    void run_twice_secondRunStartsFromAnIdleFleetWithEmptyCaches() {
        SimPrompt shared = new SimPrompt.Synthetic(160, "system", 160);
        FleetSimulator sim = FleetSimulator.builder(fleet(testProfile(2), 1)).endpoint(Endpoint.COMPLETIONS).build();

        SimReport first = sim.run(List.of(SimRequest.of("a", 0, shared, 4)));
        SimReport second = sim.run(List.of(SimRequest.of("a", 0, shared, 4)));

        assertThat(second.prefixHitTokens()).isZero();
        assertThat(second.bench().toJson()).isEqualTo(first.bench().toJson());
        assertThat(second.toJson()).isEqualTo(first.toJson());
    }

    static List<SimRequest> requests(int n, long arrivalStepMs, int promptTokens) {
        List<SimRequest> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(request("r" + i, i * arrivalStepMs, promptTokens));
        }
        return out;
    }
}
