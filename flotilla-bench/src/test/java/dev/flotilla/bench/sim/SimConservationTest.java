package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Picker;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.InferenceRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Whole runs over a random seeded workload: nothing is lost, and a seed fixes the report. */
class SimConservationTest {

    /** Least-requests, except that it finds no node for requests whose max_tokens is a multiple of 7. */
    static final class PickyPicker implements Picker {
        private final Picker leastRequests = SchedulingPlugins.builtIn().picker("least-requests");

        @Override
        public String type() {
            return "picky";
        }

        @Override
        public int pick(SchedulingRequest request, List<NodeSnapshot> candidates, double[] totals) {
            return request.maxTokens(0) % 7 == 0 ? -1 : leastRequests.pick(request, candidates, totals);
        }
    }

    /**
     * 2,000 requests over about 20 s with bursts of simultaneous arrivals, prompts from 1 to 5,000
     * tokens (some longer than the 4,096-token context), a few shared prefixes and sessions.
     */
    static List<SimRequest> randomTrace(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<SimRequest> out = new ArrayList<>();
        long t = 0;
        for (int i = 0; i < 2000; i++) {
            if (random.nextInt(4) != 0) {
                t += random.nextLong(20_000_000L);
            }
            int tokens = 1 + random.nextInt(5000);
            SimPrompt prompt = switch (random.nextInt(3)) {
                case 0 -> SimPrompt.Synthetic.of(tokens);
                case 1 -> new SimPrompt.Synthetic(tokens, "group-" + random.nextInt(3), Math.min(tokens, 200));
                default -> new SimPrompt.Text("hello there, how are you " + i + "?");
            };
            String session = random.nextInt(5) == 0 ? "s" + random.nextInt(20) : null;
            out.add(new SimRequest("r" + i, t, "t" + random.nextInt(3), random.nextInt(2), session, prompt,
                    1 + random.nextInt(300)));
        }
        return out;
    }

    static FleetSimulator simulator(long seed, List<SimResult> results) {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn().registerPicker("picky", PickyPicker::new);
        FleetSpec fleet = FleetSpec.of("m", List.of(FleetSpec.NodeGroup.of(AcceleratorProfile.L4, 2),
                        new FleetSpec.NodeGroup("t4", AcceleratorProfile.T4, 1, false)))
                .withPolicy("picky");
        return FleetSimulator.builder(fleet).plugins(plugins).seed(seed).slo(new Slo(500.0, 60.0, null))
                .results(results::add).build();
    }

    @Test
    void run_randomTrace_everyRequestCompletedOrRejectedExactlyOnce() {
        List<SimRequest> trace = randomTrace(7);
        List<SimResult> results = new ArrayList<>();
        SimReport report = simulator(1, results).run(trace);

        assertThat(results).extracting(r -> r.request().id())
                .containsExactlyInAnyOrderElementsOf(trace.stream().map(SimRequest::id).toList());
        long completed = results.stream().filter(r -> r instanceof SimResult.Completed).count();
        long noNode = trace.stream().filter(r -> r.maxTokens() % 7 == 0).count();
        long tooLong = results.stream().filter(r -> r instanceof SimResult.Rejected j
                && j.reason() == SimResult.RejectReason.PROMPT_TOO_LONG).count();
        BenchReport bench = report.bench();
        assertThat(bench.completed()).isEqualTo(completed);
        assertThat(bench.completed() + bench.failed()).isEqualTo(trace.size());
        assertThat(bench.cancelled()).isZero();
        // as the live gateway answers: 503 without a node, 400 for a prompt too long
        assertThat(bench.httpStatuses()).containsEntry(503, noNode);
        assertThat(tooLong).as("some prompts exceed the 4,096-token context").isPositive();
        assertThat(bench.httpStatuses()).containsEntry(400, tooLong);
        assertThat(bench.errorCounts()).containsExactly(Map.entry("http_4xx", tooLong), Map.entry("http_5xx", noNode));
        assertThat(bench.run()).containsEntry("requests", (long) trace.size());
        assertThat(report.measurements().results()).hasSize(trace.size());
        // per node: every routed request served or refused there; the nodes together account for all
        assertThat(report.nodes().stream().mapToLong(SimReport.NodeReport::served).sum()).isEqualTo(completed);
        assertThat(report.nodes().stream().mapToLong(SimReport.NodeReport::refused).sum()).isEqualTo(tooLong);
        assertThat(report.nodes()).allSatisfy(n -> assertThat(n.served()).isPositive());
        Map<String, Long> servedByResult = new HashMap<>();
        results.stream().filter(r -> r instanceof SimResult.Completed)
                .forEach(r -> servedByResult.merge(((SimResult.Completed) r).node(), 1L, Long::sum));
        report.nodes().forEach(n -> assertThat(servedByResult.get(n.name())).isEqualTo(n.served()));
        // token totals add up, and a refused prompt is one the refusing node's context cannot hold (the T4's
        // is about 1,750 tokens, the L4's 4,096)
        assertThat(bench.totalOutputTokens()).isEqualTo(results.stream()
                .filter(r -> r instanceof SimResult.Completed).mapToLong(r -> ((SimResult.Completed) r).outputTokens())
                .sum());
        results.stream().filter(r -> r instanceof SimResult.Rejected j
                        && j.reason() == SimResult.RejectReason.PROMPT_TOO_LONG)
                .forEach(r -> assertThat(((SimPrompt.Synthetic) r.request().prompt()).tokens() + 4)
                        .isGreaterThanOrEqualTo(((SimResult.Rejected) r).node().startsWith("t4-")
                                ? AcceleratorProfile.T4.maxContextTokens() : AcceleratorProfile.L4.maxContextTokens()));
        assertThat(AcceleratorProfile.T4.maxContextTokens()).isLessThan(2000);
    }

    @Test
    void run_randomTrace_reportFieldsConsistent() {
        SimReport sim = simulator(1, new ArrayList<>()).run(randomTrace(7));
        BenchReport r = sim.bench();

        assertThat(r.requestThroughput()).isEqualTo(r.completed() / r.duration());
        assertThat(r.outputThroughput()).isEqualTo(r.totalOutputTokens() / r.duration());
        assertThat(r.goodputRatio()).isBetween(0.0, 1.0);
        assertThat(r.requestGoodput()).isLessThanOrEqualTo(r.requestThroughput());
        assertThat(r.ttft().p50()).isLessThanOrEqualTo(r.ttft().p90());
        assertThat(r.ttft().p90()).isLessThanOrEqualTo(r.ttft().p99());
        assertThat(r.e2el().mean()).isGreaterThan(r.ttft().mean());
        assertThat(r.itl().count()).isEqualTo(r.totalOutputTokens() - r.completed());
        assertThat(sim.prefixCacheHitRate()).isBetween(0.0, 1.0);
        assertThat(sim.prefixHitTokens()).isPositive();
        assertThat(sim.toJson()).containsKeys("prefix_cache_hit_rate", "nodes");
        assertThat(r.toJson()).containsKeys("completed", "duration", "request_throughput", "output_throughput",
                "mean_ttft_ms", "median_ttft_ms", "p90_ttft_ms", "p99_ttft_ms", "mean_itl_ms", "median_itl_ms",
                "p90_itl_ms", "p99_itl_ms", "mean_e2el_ms", "median_e2el_ms", "p90_e2el_ms", "p99_e2el_ms",
                "request_goodput", "goodput_ratio");
    }

    @Test
    void run_sameSeed_identicalJson() throws Exception {
        String first = json(simulator(42, new ArrayList<>()).run(randomTrace(7)));
        String second = json(simulator(42, new ArrayList<>()).run(randomTrace(7)));
        String otherSeed = json(simulator(43, new ArrayList<>()).run(randomTrace(7)));

        assertThat(second).isEqualTo(first);
        // the seed sets each request's sampling, so its output length
        assertThat(otherSeed).isNotEqualTo(first);
    }

    @Test
    void run_generatedTrace_sameSeedIdenticalJson() throws Exception {
        FleetSpec fleet = FleetSpec.of("m", List.of(FleetSpec.NodeGroup.of(AcceleratorProfile.A100_80G, 4)));
        var spec = TraceRequests.syntheticSpec("rate=50,duration=20s,prompt-median=300,prompt-sigma=0.6,"
                + "output-median=64,prefix-groups=3,prefix-tokens=64,turns=2,think-time=2s", 5, Path.of("."));

        String first = json(FleetSimulator.builder(fleet).seed(5).build()
                .run(TraceRequests.of(TraceGenerator.generate(spec))));
        String second = json(FleetSimulator.builder(fleet).seed(5).build()
                .run(TraceRequests.of(TraceGenerator.generate(spec))));

        assertThat(second).isEqualTo(first);
    }

    static String json(SimReport r) throws Exception {
        ObjectMapper json = new ObjectMapper();
        return json.writeValueAsString(r.bench().toJson()) + json.writeValueAsString(r.toJson());
    }
}
