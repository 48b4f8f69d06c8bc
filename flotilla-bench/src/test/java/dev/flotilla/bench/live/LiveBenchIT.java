package dev.flotilla.bench.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.ErrorKind;
import dev.flotilla.bench.report.Measurements;
import dev.flotilla.bench.report.ReportFiles;
import dev.flotilla.bench.report.RequestResult;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.report.Timeline;
import dev.flotilla.bench.trace.LengthDistribution;
import dev.flotilla.bench.trace.RateSchedule;
import dev.flotilla.bench.trace.TenantSpec;
import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.bench.trace.TraceSpec;
import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.protocol.Endpoint;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The live bench against a real gateway over two simulated H100 nodes, all on loopback. */
class LiveBenchIT {
    private static final String MODEL = "sim-bench";
    private static final Workload.Template TEMPLATE =
            new Workload.Template(TraceRecord.Synthetic.of(64), 16);

    private static SimulatedEngine engineA;
    private static SimulatedEngine engineB;
    private static NodeServer nodeA;
    private static NodeServer nodeB;
    private static Gateway gateway;

    @BeforeAll
    static void start() {
        engineA = SimulatedEngine.realTime(MODEL, AcceleratorProfile.H100);
        engineB = SimulatedEngine.realTime(MODEL, AcceleratorProfile.H100);
        nodeA = NodeServer.start(NodeServerConfig.loopback("a", 0), engineA, Clock.systemUTC());
        nodeB = NodeServer.start(NodeServerConfig.loopback("b", 0), engineB, Clock.systemUTC());
        gateway = Gateway.start(GatewayConfig.of(List.of(new GatewayConfig.Node("a", nodeA.url()),
                new GatewayConfig.Node("b", nodeB.url()))).withListen(GatewayConfig.Listen.loopback(0)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        gateway.close();
        nodeA.close();
        nodeB.close();
        engineA.close();
        engineB.close();
    }

    private static LiveBenchPlan plan(URI url, String model, Workload w, long requests, Duration duration, int maxInFlight) {
        return new LiveBenchPlan(url, Endpoint.CHAT, model, w, requests, duration, Duration.ofSeconds(20), maxInFlight,
                null, false);
    }

    private static LiveBench.Run run(LiveBenchPlan plan) {
        try (LiveBench bench = LiveBench.create()) {
            return bench.run(plan);
        }
    }

    /** What every successful report must satisfy. */
    private static void assertConsistent(BenchReport r, LiveBench.Run run) {
        assertThat(r.completed() + r.failed() + r.cancelled()).isEqualTo(run.sent());
        assertThat(r.requestThroughput()).isEqualTo(r.completed() / r.duration());
        assertThat(r.outputThroughput()).isEqualTo(r.totalOutputTokens() / r.duration());
        assertThat(r.ttft().p50()).isPositive().isLessThanOrEqualTo(r.e2el().p50());
        assertThat(r.ttft().p99()).isLessThanOrEqualTo(r.ttft().max() * 1.001);
        assertThat(r.e2el().p50()).isLessThanOrEqualTo(r.e2el().p90());
        assertThat(r.e2el().max()).isLessThanOrEqualTo(r.duration() * 1000);
        assertThat(r.usageMissing()).isZero();
        // the simulated node streams one token per chunk: every gap between tokens is one ITL sample
        assertThat(r.itl().count()).isEqualTo(r.totalOutputTokens() - r.completed());
        for (RequestResult x : run.measurements().results()) {
            if (x instanceof RequestResult.Completed c) {
                assertThat(c.outputTokens()).isBetween(1, 16);
                assertThat(c.promptTokens()).isGreaterThanOrEqualTo(64);
            }
        }
    }

    @Test
    void run_poissonRate_reportConsistentAndFilesWritten(@TempDir Path dir) throws Exception {
        LiveBench.Run run = run(plan(gateway.url(), MODEL, new Workload.Rate(25, 1, TEMPLATE), Long.MAX_VALUE,
                Duration.ofSeconds(2), 100));
        BenchReport r = BenchReport.of(run.measurements(), run.durationSeconds(), new Slo(10_000.0, 10_000.0, null),
                run.description());

        assertThat(run.sent()).isBetween(25L, 80L);
        assertThat(r.failed()).isZero();
        assertThat(r.completed()).isEqualTo(run.sent());
        assertConsistent(r, run);
        assertThat(r.goodputRatio()).isEqualTo(1.0);
        assertThat(r.requestGoodput()).isEqualTo(r.requestThroughput());
        // sending stops at 2 s; the last requests finish after that
        assertThat(r.duration()).isBetween(1.5, 15.0);
        assertThat(r.run()).containsEntry("mode", "rate").containsEntry("request_rate", 25.0);

        List<Path> files = ReportFiles.write(dir, r, run.measurements());
        assertThat(files).extracting(p -> p.getFileName().toString())
                .contains("result.json", "report.md", "requests.jsonl", "ttft_cdf.png", "itl_cdf.png", "e2el_cdf.png",
                        "throughput.png", "in_flight.png");
        assertThat(Files.readString(dir.resolve("report.md"))).contains("request throughput");
    }

    @Test
    void run_concurrency_exactlyNRequestsNeverMoreInFlight() {
        LiveBench.Run run = run(plan(gateway.url().resolve("/v1"), MODEL, new Workload.Concurrency(4, TEMPLATE), 40, null, 4));
        BenchReport r = BenchReport.of(run.measurements(), run.durationSeconds(), Slo.NONE, run.description());

        assertThat(run.sent()).isEqualTo(40);
        assertThat(r.completed()).isEqualTo(40);
        assertConsistent(r, run);
        assertThat(run.measurements().timeline().points(1)).extracting(Timeline.Point::inFlight)
                .allMatch(n -> n <= 4);
        assertThat(r.requestGoodput()).isNull();
    }

    @Test
    void run_traceReplay_everyRecordSentAtItsTimeWithItsTenant() {
        TenantSpec a = new TenantSpec("alpha", 1, RateSchedule.constant(10), 1, LengthDistribution.LogNormal.of(40, 0.5),
                new LengthDistribution.Fixed(8), new TenantSpec.Prefixes(2, 30, 1), new TenantSpec.Sessions(2, 0.3));
        TenantSpec b = new TenantSpec("beta", 0, RateSchedule.constant(5), 2, new LengthDistribution.Fixed(20),
                new LengthDistribution.Fixed(4), TenantSpec.Prefixes.NONE, TenantSpec.Sessions.NONE);
        List<TraceRecord> trace = TraceGenerator.generate(new TraceSpec(3, 2, Long.MAX_VALUE, List.of(a, b)));

        LiveBench.Run run = run(plan(gateway.url(), MODEL, new Workload.Replay(trace, 0.5, "generated"),
                Long.MAX_VALUE, null, 100));
        Measurements m = run.measurements();

        assertThat(run.sent()).isEqualTo(trace.size());
        assertThat(m.completed()).isEqualTo(trace.size());
        Map<String, TraceRecord> byId = new java.util.HashMap<>();
        trace.forEach(t -> byId.put(t.id(), t));
        for (RequestResult x : m.results()) {
            TraceRecord t = byId.get(x.id());
            assertThat(x.tenant()).isEqualTo(t.tenant());
            // replayed at half the trace's times; an arrival is never early (and late only on a very busy machine)
            assertThat(x.sentNanos() / 1e9).isBetween(t.arrival() * 0.5, t.arrival() * 0.5 + 2);
            assertThat(((RequestResult.Completed) x).outputTokens()).isLessThanOrEqualTo(t.outputTokens());
        }
    }

    @Test
    void run_unknownModel_everyRequestFailsAsHttp4xx() {
        LiveBench.Run run = run(plan(gateway.url(), "no-such-model", new Workload.Concurrency(2, TEMPLATE), 6, null, 2));
        BenchReport r = BenchReport.of(run.measurements(), run.durationSeconds(), new Slo(1000.0, null, null),
                run.description());

        assertThat(r.completed()).isZero();
        assertThat(r.errorCounts()).containsExactly(Map.entry("http_4xx", 6L));
        assertThat(r.goodputRatio()).isZero();
        assertThat(r.errorExamples().get("http_4xx")).contains("no-such-model");
    }

    @Test
    void run_nobodyListening_connectionRefused() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LiveBench.Run run = run(plan(URI.create("http://127.0.0.1:" + port), MODEL, new Workload.Rate(50, 1, TEMPLATE), 5,
                null, 10));

        assertThat(run.measurements().failed()).isEqualTo(5);
        assertThat(run.measurements().results()).allSatisfy(x ->
                assertThat(((RequestResult.Failed) x).kind()).isEqualTo(ErrorKind.CONNECTION_REFUSED));
    }

    @Test
    void run_openLoopBeyondMaxInFlight_countsClientBacklogInsteadOfQueueing() {
        // 200 requests/s of ~50 ms streams need about 10 in flight; allow 2
        LiveBench.Run run = run(plan(gateway.url(), MODEL, new Workload.Rate(200, 1, new Workload.Template(
                TraceRecord.Synthetic.of(64), 12)), 60, null, 2));
        BenchReport r = BenchReport.of(run.measurements(), run.durationSeconds(), Slo.NONE, run.description());

        assertThat(r.errorCounts()).containsKey("client_backlog");
        assertThat(r.completed()).isPositive();
        assertThat(r.completed() + r.failed()).isEqualTo(60);
        assertThat(run.measurements().timeline().points(1)).extracting(Timeline.Point::inFlight).allMatch(n -> n <= 2);
    }

    @Test
    void cancel_duringRun_returnsWhatFinishedAndCountsTheRestCancelled() {
        try (LiveBench bench = LiveBench.create()) {
            CompletableFuture<LiveBench.Run> result = CompletableFuture.supplyAsync(() -> bench.run(
                    plan(gateway.url(), MODEL, new Workload.Concurrency(8, new Workload.Template(
                            TraceRecord.Synthetic.of(64), 2000)), Long.MAX_VALUE, Duration.ofMinutes(5), 8)));
            await().atMost(Duration.ofSeconds(20)).until(() -> bench.progress().inFlight() == 8
                    && bench.progress().elapsedSeconds() > 0.3);
            bench.cancel();
            LiveBench.Run run = result.get(20, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(run.cancelled()).isTrue();
            // a request may end between cancel() and the reset of the others: it is not replaced
            long cancelled = run.measurements().cancelledCount();
            assertThat(cancelled).isBetween(1L, 8L);
            assertThat(run.measurements().completed() + run.measurements().failed() + cancelled).isEqualTo(run.sent());
            assertThat(run.durationSeconds()).isBetween(0.3, 20.0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
