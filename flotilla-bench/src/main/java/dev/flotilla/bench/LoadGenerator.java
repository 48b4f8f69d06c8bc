package dev.flotilla.bench;

import dev.flotilla.protocol.Sse;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A closed-loop load generator for OpenAI endpoints: {@code concurrency} requests in flight, each
 * followed by the next as soon as it completes, on one event loop so that it takes at most one
 * core. Targets are run one after another within each round, so their figures are side by side.
 */
public final class LoadGenerator implements AutoCloseable {
    private static final Pattern COMPLETION_TOKENS = Pattern.compile("\"completion_tokens\"\\s*:\\s*(\\d+)");

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));

    /** Runs the plan and returns each target's statistics, in the plan's order. */
    public Map<String, TargetStats> run(BenchPlan plan) {
        Map<String, TargetStats> stats = new LinkedHashMap<>();
        Map<String, HttpClient> clients = new LinkedHashMap<>();
        for (BenchPlan.Target t : plan.targets()) {
            stats.put(t.name(), new TargetStats(t.name()));
            clients.put(t.name(), vertx.createHttpClient(new HttpClientOptions()
                            .setDefaultHost(t.baseUrl().getHost()).setDefaultPort(t.baseUrl().getPort())
                            .setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
                    new PoolOptions().setHttp1MaxSize(plan.concurrency())));
        }
        Buffer body = Buffer.buffer(plan.body());
        try {
            for (BenchPlan.Target t : plan.targets()) {
                if (plan.warmup() > 0) {
                    batch(clients.get(t.name()), plan, body, plan.warmup(), new TargetStats("warmup")).await();
                }
            }
            for (int round = 0; round < plan.rounds(); round++) {
                for (BenchPlan.Target t : plan.targets()) {
                    TargetStats s = stats.get(t.name());
                    long start = System.nanoTime();
                    batch(clients.get(t.name()), plan, body, plan.requests(), s).await();
                    s.addBusyTime(System.nanoTime() - start);
                }
            }
        } finally {
            clients.values().forEach(c -> c.close().await());
        }
        return stats;
    }

    private Future<Void> batch(HttpClient client, BenchPlan plan, Buffer body, int count, TargetStats stats) {
        Promise<Void> done = Promise.promise();
        AtomicInteger toStart = new AtomicInteger(count);
        AtomicInteger finished = new AtomicInteger();
        int workers = Math.min(plan.concurrency(), count);
        vertx.runOnContext(v -> {
            for (int i = 0; i < workers; i++) {
                next(client, plan, body, stats, toStart, finished, count, done);
            }
        });
        return done.future();
    }

    private void next(HttpClient client, BenchPlan plan, Buffer body, TargetStats stats, AtomicInteger toStart,
                      AtomicInteger finished, int count, Promise<Void> done) {
        if (toStart.getAndDecrement() <= 0) {
            return;
        }
        one(client, plan, body, stats).onComplete(ar -> {
            if (finished.incrementAndGet() == count) {
                done.tryComplete();
            } else {
                next(client, plan, body, stats, toStart, finished, count, done);
            }
        });
    }

    /** One request; always completes (errors are recorded, not failed). */
    private Future<Void> one(HttpClient client, BenchPlan plan, Buffer body, TargetStats stats) {
        long start = System.nanoTime();
        Promise<Void> done = Promise.promise();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(plan.path())
                .putHeader("content-type", "application/json").setIdleTimeout(120_000);
        client.request(options)
                .compose(req -> req.send(body))
                .onFailure(e -> {
                    stats.recordError(e.toString());
                    done.tryComplete();
                })
                .onSuccess(resp -> {
                    if (resp.statusCode() != 200) {
                        resp.body().onComplete(b -> {
                            stats.recordError("HTTP " + resp.statusCode() + ": "
                                    + (b.succeeded() ? b.result().toString() : b.cause().toString()));
                            done.tryComplete();
                        });
                        return;
                    }
                    if (!plan.stream()) {
                        resp.body().onComplete(b -> {
                            if (b.failed()) {
                                stats.recordError(b.cause().toString());
                            } else {
                                stats.recordSuccess(System.nanoTime() - start, -1, completionTokens(b.result().toString(), 0),
                                        -1);
                            }
                            done.tryComplete();
                        });
                        return;
                    }
                    StreamTimes times = new StreamTimes(start);
                    Sse.Decoder decoder = Sse.decoder();
                    resp.handler(chunk -> {
                        long now = System.nanoTime();
                        for (String event : decoder.feed(chunk.getBytes())) {
                            times.event(event, now);
                        }
                    });
                    resp.exceptionHandler(e -> {
                        stats.recordError(e.toString());
                        done.tryComplete();
                    });
                    resp.endHandler(v -> {
                        if (times.error != null) {
                            stats.recordError(times.error);
                        } else {
                            stats.recordSuccess(System.nanoTime() - start, times.ttft(), times.tokens(),
                                    times.meanItl());
                        }
                        done.tryComplete();
                    });
                });
        return done.future();
    }

    static long completionTokens(String json, long fallback) {
        Matcher m = COMPLETION_TOKENS.matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : fallback;
    }

    /** Times of a streamed response: first content chunk, last content chunk, count. */
    private static final class StreamTimes {
        private final long start;
        private long first = -1;
        private long last = -1;
        private long contentEvents;
        private long usageTokens = -1;
        private String error;

        StreamTimes(long start) {
            this.start = start;
        }

        void event(String data, long now) {
            if (Sse.DONE.equals(data)) {
                return;
            }
            if (data.startsWith("{\"error\"")) {
                error = data;
                return;
            }
            if (hasText(data, "\"content\":\"") || hasText(data, "\"text\":\"")) {
                if (first < 0) {
                    first = now;
                }
                last = now;
                contentEvents++;
            }
            if (data.contains("\"usage\":{")) {
                usageTokens = completionTokens(data, -1);
            }
        }

        private static boolean hasText(String data, String key) {
            int i = data.indexOf(key);
            return i >= 0 && i + key.length() < data.length() && data.charAt(i + key.length()) != '"';
        }

        long ttft() {
            return first < 0 ? -1 : first - start;
        }

        long tokens() {
            return usageTokens >= 0 ? usageTokens : contentEvents;
        }

        long meanItl() {
            return contentEvents < 2 ? -1 : (last - first) / (contentEvents - 1);
        }
    }

    /** Formats the results as a table, then each target against the first as a ratio and a difference. */
    public static String report(BenchPlan plan, Map<String, TargetStats> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s, %s, max_tokens %d, concurrency %d, %d requests x %d rounds per target (+%d warm-up)%n",
                plan.chat() ? "chat" : "completions", plan.stream() ? "streaming" : "non-streaming", plan.maxTokens(),
                plan.concurrency(), plan.requests(), plan.rounds(), plan.warmup()));
        out.append(String.format("%-12s %8s %6s %10s %9s %9s %9s %9s %9s %9s %10s%n", "target", "ok", "errors",
                "req/s", "p50 ms", "p90 ms", "p99 ms", "ttft p50", "ttft p99", "itl p50", "out tok/s"));
        List<TargetStats> all = new ArrayList<>(results.values());
        for (TargetStats s : all) {
            out.append(String.format("%-12s %8d %6d %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %10.1f%n", s.name(),
                    s.ok(), s.errors(), s.requestsPerSecond(), s.latencyMs(50), s.latencyMs(90), s.latencyMs(99),
                    s.ttftMs(50), s.ttftMs(99), s.itlMs(50), s.outputTokensPerSecond()));
        }
        TargetStats base = all.get(0);
        for (TargetStats s : all.subList(1, all.size())) {
            out.append(String.format("%s vs %s: throughput ratio %.3f; p50 %+.3f ms, p99 %+.3f ms", s.name(),
                    base.name(), s.requestsPerSecond() / base.requestsPerSecond(), s.latencyMs(50) - base.latencyMs(50),
                    s.latencyMs(99) - base.latencyMs(99)));
            if (plan.stream()) {
                out.append(String.format("; TTFT p50 %+.3f ms, p99 %+.3f ms", s.ttftMs(50) - base.ttftMs(50),
                        s.ttftMs(99) - base.ttftMs(99)));
            }
            out.append(System.lineSeparator());
        }
        for (TargetStats s : all) {
            if (s.firstError() != null) {
                out.append(s.name()).append(" first error: ").append(s.firstError()).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // the client side only: nothing is lost if its threads outlive the report
        }
    }
}
