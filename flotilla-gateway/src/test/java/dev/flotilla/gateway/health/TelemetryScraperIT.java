package dev.flotilla.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.telemetry.DataState;
import dev.flotilla.gateway.fleet.telemetry.HistoryMetric;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.observability.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scraper against a loopback HTTP server whose /metrics misbehaves in the ways a node can. */
class TelemetryScraperIT {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    // generous: the first exchange of a cold JVM on a busy 2-core machine can take some 100 ms
    private static final GatewayConfig.Telemetry SETTINGS = new GatewayConfig.Telemetry(Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(2));

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client = vertx.createHttpClient();
    private HttpServer server;

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String serve(Consumer<HttpServerResponse> metrics) throws Exception {
        server = await(vertx.createHttpServer().requestHandler(req -> metrics.accept(req.response()))
                .listen(0, "127.0.0.1"));
        return "http://127.0.0.1:" + server.actualPort();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private record Setup(NodeRegistry registry, GatewayMetrics metrics, TelemetryScraper scraper) {
        TelemetrySnapshot telemetry() {
            return registry.snapshot("n").telemetry();
        }
    }

    private Setup setup(String url) {
        NodeRegistry registry = new NodeRegistry(List.of(new GatewayConfig.Node("n", url)),
                Clock.fixed(T0, ZoneOffset.UTC), SETTINGS.staleAfter());
        GatewayMetrics metrics = new GatewayMetrics(registry);
        TelemetryScraper scraper = new TelemetryScraper(vertx, client, registry, metrics, SETTINGS,
                Clock.fixed(T0, ZoneOffset.UTC), System::nanoTime);
        return new Setup(registry, metrics, scraper);
    }

    private void scrapeOnce(Setup s) throws Exception {
        Promise<Void> done = Promise.promise();
        vertx.runOnContext(v -> s.scraper().scrapeAll().onComplete(done));
        await(done.future());
    }

    @Test
    void scrapeAll_goodExposition_publishesFreshFiguresAndHistory() throws Exception {
        Setup s = setup(serve(r -> r.end("""
                vllm:num_requests_running{model_name="m"} 2
                flotilla:generation_tokens_per_second{model_name="m"} 5
                DCGM_FI_DEV_GPU_UTIL{gpu="0",modelName="L4"} 50
                """)));
        scrapeOnce(s);

        assertThat(s.telemetry().state(T0)).isEqualTo(DataState.FRESH);
        assertThat(s.telemetry().load().running()).isEqualTo(2);
        assertThat(s.telemetry().gpus().get(0).utilisation()).isEqualTo(0.5);
        assertThat(s.scraper().history("n").series(HistoryMetric.RUNNING).since(Long.MIN_VALUE).values())
                .containsExactly(2.0);
        assertThat(s.metrics().scrape()).contains("flotilla_scrape_duration_seconds_count{node=\"n\"} 1")
                .contains("flotilla_scrape_failures_total{node=\"n\"} 0.0");
    }

    @Test
    void scrapeAll_non200_recordsErrorAndFailureNoData() throws Exception {
        Setup s = setup(serve(r -> r.setStatusCode(500).end("boom")));
        scrapeOnce(s);

        assertThat(s.telemetry().state(T0)).isEqualTo(DataState.NO_DATA);
        assertThat(s.telemetry().lastError()).isEqualTo("scrape of /metrics: IOException: /metrics answered 500");
        assertThat(s.metrics().scrape()).contains("flotilla_scrape_failures_total{node=\"n\"} 1.0");
    }

    @Test
    void scrapeAll_nodeTricklesForever_failsAfterTimeoutNotPerSilence() throws Exception {
        // a byte every 50 ms never trips the idle timeout; the whole-exchange bound must end it
        Setup s = setup(serve(r -> {
            r.setChunked(true).write("# trickle\n");
            vertx.setPeriodic(50, id -> {
                if (r.closed()) {
                    vertx.cancelTimer(id);
                } else {
                    r.write("# more\n");
                }
            });
        }));
        long started = System.nanoTime();
        scrapeOnce(s);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(s.telemetry().lastError()).isEqualTo("scrape of /metrics: TimeoutException: no complete answer within 1000 ms");
    }

    @Test
    void scrapeAll_hugeBody_isRefused() throws Exception {
        String chunk = "# " + "x".repeat(64 * 1024 - 3) + "\n";
        Setup s = setup(serve(r -> {
            r.setChunked(true);
            for (int i = 0; i < TelemetryScraper.MAX_BODY_BYTES / chunk.length() + 2; i++) {
                r.write(chunk);
            }
            r.end();
        }));
        scrapeOnce(s);

        assertThat(s.telemetry().lastError()).isEqualTo("scrape of /metrics: IOException: /metrics is larger than "
                + TelemetryScraper.MAX_BODY_BYTES + " bytes");
    }

    @Test
    void scrapeAll_failureAfterGoodScrape_keepsFiguresWithError() throws Exception {
        boolean[] fail = {false};
        Setup s = setup(serve(r -> {
            if (fail[0]) {
                r.setStatusCode(503).end();
            } else {
                r.end("vllm:num_requests_running 3\n");
            }
        }));
        scrapeOnce(s);
        fail[0] = true;
        scrapeOnce(s);

        assertThat(s.telemetry().load().running()).isEqualTo(3);
        assertThat(s.telemetry().scrapedAt()).isEqualTo(T0);
        assertThat(s.telemetry().lastError()).contains("answered 503");
        assertThat(s.telemetry().state(T0.plusSeconds(3))).isEqualTo(DataState.STALE);
    }
}
