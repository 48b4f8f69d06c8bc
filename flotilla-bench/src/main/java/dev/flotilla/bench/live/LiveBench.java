package dev.flotilla.bench.live;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.bench.report.ErrorKind;
import dev.flotilla.bench.report.Measurements;
import dev.flotilla.bench.report.RequestResult;
import dev.flotilla.bench.trace.ArrivalProcess;
import dev.flotilla.bench.trace.PromptText;
import dev.flotilla.bench.trace.RequestSeed;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.Sse;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.StreamResetException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.apache.commons.rng.simple.RandomSource;

/**
 * The live load generator: sends streamed chat or completion requests to an OpenAI-compatible
 * server as a {@link Workload} says and measures each one (TTFT, every inter-token gap, end-to-end
 * latency, usage, errors by kind) into {@link Measurements}.
 *
 * <p>All HTTP work runs on one Vert.x event loop, so the generator takes at most about one core.
 * Open-loop arrivals (rate, trace) are timed by a separate thread that parks until each arrival, so
 * a slow server never delays the next send; the connection pool is as large as the bound on requests
 * in flight, so the pool never queues them either. {@link #cancel()} (Ctrl-C) stops sending, resets
 * the requests in flight and lets {@link #run} return what finished.
 */
public final class LiveBench implements AutoCloseable {
    private static final JsonFactory JSON_FACTORY = new JsonFactory();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final LongSupplier nanoTime;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong inFlightCount = new AtomicLong();
    private volatile boolean cancelRequested;
    private volatile Running running;

    LiveBench(LongSupplier nanoTime) {
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.nanoTime = nanoTime;
    }

    /** A generator on the system's monotonic clock. */
    public static LiveBench create() {
        return new LiveBench(System::nanoTime);
    }

    /**
     * What a run measured.
     *
     * @param durationSeconds from the start to the end of the last request, or to the cancel
     * @param sent            requests sent, plus arrivals not sent because of the in-flight bound
     *                        ({@code client_backlog}): completed + failed + cancelled
     */
    public record Run(Measurements measurements, double durationSeconds, boolean cancelled, long sent,
                      Map<String, Object> description) {
    }

    /**
     * Runs the plan and blocks until it ends: all requests sent and finished, or {@link #cancel()}.
     * One run at a time.
     */
    public Run run(LiveBenchPlan plan) {
        if (running != null) {
            throw new IllegalStateException("a run is already going on");
        }
        Context context = vertx.getOrCreateContext();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, plan.requestTimeout().toMillis())),
                new PoolOptions().setHttp1MaxSize(plan.maxInFlight()).setHttp2MaxSize(plan.maxInFlight())
                        .setMaxWaitQueueSize(-1));
        sent.set(0);
        completed.set(0);
        failed.set(0);
        inFlightCount.set(0);
        Running r = new Running(plan, client, context, nanoTime.getAsLong());
        running = r;
        try {
            if (cancelRequested) {
                r.cancelledAt = r.start;
                return r.result();
            }
            if (plan.workload() instanceof Workload.Concurrency c) {
                context.runOnContext(v -> r.closedLoop(c.inFlight()));
            } else {
                Thread arrivals = new Thread(r::openLoop, "flotilla-bench-arrivals");
                arrivals.setDaemon(true);
                arrivals.start();
            }
            r.done.future().await();
            return r.result();
        } finally {
            client.close().await();
            running = null;
        }
    }

    /** Stops the run: nothing more is sent, requests in flight are reset and counted as cancelled. */
    public void cancel() {
        cancelRequested = true;
        Running r = running;
        if (r != null) {
            r.context.runOnContext(v -> r.cancelAll());
        }
    }

    /** Where the current run is; zeros before the first. */
    public Progress progress() {
        Running r = running;
        LiveBenchPlan plan = r == null ? null : r.plan;
        long planned = plan == null || plan.maxRequests() == Long.MAX_VALUE ? -1 : plan.maxRequests();
        if (plan != null && plan.workload() instanceof Workload.Replay t) {
            planned = planned < 0 ? t.records().size() : Math.min(planned, t.records().size());
        }
        double seconds = plan == null || plan.maxDuration() == null ? Double.NaN : plan.maxDuration().toMillis() / 1000.0;
        double elapsed = r == null ? 0 : (nanoTime.getAsLong() - r.start) / 1e9;
        return new Progress(sent.get(), completed.get(), failed.get(), inFlightCount.get(), elapsed, planned, seconds);
    }

    /**
     * The first model a server lists at {@code GET /v1/models}, for runs that name none.
     *
     * @throws IllegalStateException when the server lists none or cannot be asked
     */
    public String firstModel(URI baseUrl) {
        String base = baseUrl.toString().replaceAll("/+$", "");
        String url = (base.endsWith("/v1") ? base : base + "/v1") + "/models";
        HttpClient client = vertx.createHttpClient();
        try {
            Promise<String> body = Promise.promise();
            vertx.runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url))
                    .compose(req -> req.send())
                    .compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b))
                    .onComplete(body));
            String answer;
            try {
                answer = body.future().await(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new IllegalStateException("GET " + url + ": no answer in 30 s (give the model with --model)", e);
            } catch (Exception e) {
                throw new IllegalStateException("GET " + url + ": " + e.getMessage() + " (is the server up?)", e);
            }
            if (!answer.startsWith("200 ")) {
                throw new IllegalStateException("GET " + url + ": " + StreamState.abbreviate(answer)
                        + " (give the model with --model)");
            }
            JsonNode data;
            try {
                data = JSON.readTree(answer.substring(4)).path("data");
            } catch (IOException e) {
                throw new IllegalStateException("GET " + url + ": not JSON (" + e.getMessage() + ")", e);
            }
            if (!data.isArray() || data.isEmpty() || !data.get(0).hasNonNull("id")) {
                throw new IllegalStateException("GET " + url + ": no models listed (give the model with --model)");
            }
            return data.get(0).get("id").asText();
        } finally {
            client.close();
        }
    }

    @Override
    public void close() {
        try {
            vertx.close().await(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // only the client's threads: nothing measured is lost if they outlive the report
        }
    }

    /** Sorts a failure's cause into a kind. */
    static ErrorKind classify(Throwable e) {
        if (e instanceof ConnectTimeoutException || e instanceof TimeoutException
                || e.getClass().getSimpleName().contains("Timeout")) {
            return ErrorKind.TIMEOUT;
        }
        if (e instanceof ConnectException) {
            return ErrorKind.CONNECTION_REFUSED;
        }
        if (e instanceof HttpClosedException || e instanceof StreamResetException
                || (e instanceof IOException && String.valueOf(e.getMessage()).toLowerCase().contains("reset"))) {
            return ErrorKind.CONNECTION_RESET;
        }
        return ErrorKind.OTHER;
    }

    /** The JSON body of one streamed request. */
    static Buffer body(TraceRecord r, Endpoint endpoint, String model, boolean ignoreEos) {
        return body(r, endpoint, model, ignoreEos, false);
    }

    /**
     * The JSON body of one streamed request, with the record's own {@code seed} when {@code seedRequest}
     * and its session as {@code user}.
     */
    static Buffer body(TraceRecord r, Endpoint endpoint, String model, boolean ignoreEos, boolean seedRequest) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON_FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("model", model);
            String prompt = PromptText.of(r);
            if (endpoint == Endpoint.CHAT) {
                g.writeArrayFieldStart("messages");
                g.writeStartObject();
                g.writeStringField("role", "user");
                g.writeStringField("content", prompt);
                g.writeEndObject();
                g.writeEndArray();
            } else {
                g.writeStringField("prompt", prompt);
            }
            g.writeNumberField("max_tokens", r.outputTokens());
            g.writeBooleanField("stream", true);
            g.writeObjectFieldStart("stream_options");
            g.writeBooleanField("include_usage", true);
            g.writeEndObject();
            if (ignoreEos) {
                g.writeBooleanField("ignore_eos", true);
            }
            if (seedRequest) {
                g.writeNumberField("seed", RequestSeed.of(r.id()));
            }
            if (r.session() != null) {
                // the OpenAI end-user id: the gateway's session affinity reads it
                g.writeStringField("user", r.session());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(bytes.toByteArray());
    }

    /** One request in flight. */
    private static final class Exchange {
        final TraceRecord record;
        final long sentAt;
        final StreamState stream;
        HttpClientRequest request;
        long timer = -1;
        boolean finished;

        Exchange(TraceRecord record, long sentAt) {
            this.record = record;
            this.sentAt = sentAt;
            this.stream = new StreamState(sentAt);
        }
    }

    /** The state of one run; everything but the arrival loop runs on {@link #context}. */
    private final class Running {
        final LiveBenchPlan plan;
        final HttpClient client;
        final Context context;
        final long start;
        final long deadline;
        final Promise<Void> done = Promise.promise();
        final Measurements measurements = new Measurements();
        final Map<Long, Exchange> inFlight = new HashMap<>();
        final Iterator<TraceRecord> source;
        final String url;
        long sequence;
        long sentCount;
        boolean allSent;
        long cancelledAt = -1;

        Running(LiveBenchPlan plan, HttpClient client, Context context, long start) {
            this.plan = plan;
            this.client = client;
            this.context = context;
            this.start = start;
            this.deadline = plan.maxDuration() == null ? Long.MAX_VALUE : start + plan.maxDuration().toNanos();
            this.source = source(plan.workload());
            this.url = plan.requestUrl();
        }

        private Iterator<TraceRecord> source(Workload w) {
            return switch (w) {
                case Workload.Replay t -> t.records().stream().map(r -> r.withArrival(r.arrival() * t.timeScale())).iterator();
                case Workload.Rate rate -> new Iterator<>() {
                    final ArrivalProcess arrivals = ArrivalProcess.poisson(rate.perSecond(),
                            RandomSource.XO_RO_SHI_RO_128_PP.create(rate.seed()));
                    long n;

                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public TraceRecord next() {
                        return rate.template().record(++n, arrivals.next());
                    }
                };
                case Workload.Concurrency c -> new Iterator<>() {
                    long n;

                    @Override
                    public boolean hasNext() {
                        return true;
                    }

                    @Override
                    public TraceRecord next() {
                        if (n == Long.MAX_VALUE) {
                            throw new NoSuchElementException();
                        }
                        return c.template().record(++n, 0);
                    }
                };
            };
        }

        /** The arrival thread: parks until each arrival, then hands the request to the event loop. */
        void openLoop() {
            long count = 0;
            while (!cancelRequested && count < plan.maxRequests() && source.hasNext()) {
                TraceRecord r = source.next();
                long target = start + (long) (r.arrival() * 1e9);
                if (target >= deadline) {
                    break;
                }
                for (long now = nanoTime.getAsLong(); now < target && !cancelRequested; now = nanoTime.getAsLong()) {
                    LockSupport.parkNanos(Math.min(target - now, 50_000_000L));
                }
                if (cancelRequested) {
                    break;
                }
                count++;
                context.runOnContext(v -> send(r, true));
            }
            context.runOnContext(v -> {
                allSent = true;
                maybeFinish();
            });
        }

        /** Closed loop: keeps {@code n} requests in flight while the bounds allow. */
        void closedLoop(int n) {
            while (inFlight.size() < n && canSendMore()) {
                send(source.next(), false);
            }
            maybeFinish();
        }

        private boolean canSendMore() {
            return !cancelRequested && sentCount < plan.maxRequests() && nanoTime.getAsLong() < deadline;
        }

        private void send(TraceRecord r, boolean openLoop) {
            if (cancelRequested) {
                return;
            }
            long now = nanoTime.getAsLong();
            sentCount++;
            sent.incrementAndGet();
            if (openLoop && inFlight.size() >= plan.maxInFlight()) {
                failed.incrementAndGet();
                measurements.add(new RequestResult.Failed(r.id(), r.tenant(), now - start, 0, ErrorKind.CLIENT_BACKLOG, 0,
                        plan.maxInFlight() + " requests already in flight (raise --max-in-flight)"));
                return;
            }
            Exchange x = new Exchange(r, now);
            long key = sequence++;
            inFlight.put(key, x);
            inFlightCount.incrementAndGet();
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
                    .putHeader("content-type", "application/json").putHeader("accept", Sse.CONTENT_TYPE);
            if (plan.apiKey() != null) {
                options.putHeader("authorization", "Bearer " + plan.apiKey());
            }
            if (!TraceRecord.DEFAULT_TENANT.equals(r.tenant()) || r.priority() != 0) {
                options.putHeader("x-flotilla-tenant", r.tenant()).putHeader("x-flotilla-priority",
                        String.valueOf(r.priority()));
            }
            x.timer = vertx.setTimer(Math.max(1, plan.requestTimeout().toMillis()), id -> {
                x.timer = -1;
                fail(key, x, ErrorKind.TIMEOUT, 0, "not finished within " + plan.requestTimeout().toMillis() + " ms");
            });
            Buffer body = body(r, plan.endpoint(), plan.model(), plan.ignoreEos(), plan.seedRequests());
            client.request(options).onComplete(ar -> {
                if (ar.failed()) {
                    fail(key, x, classify(ar.cause()), 0, ar.cause().toString());
                    return;
                }
                x.request = ar.result();
                if (x.finished) {
                    x.request.reset();
                    return;
                }
                x.request.send(body).onComplete(resp -> {
                    if (resp.failed()) {
                        fail(key, x, classify(resp.cause()), 0, resp.cause().toString());
                    } else {
                        receive(key, x, resp.result());
                    }
                });
            });
        }

        private void receive(long key, Exchange x, HttpClientResponse resp) {
            if (x.finished) {
                return;
            }
            if (resp.statusCode() != 200) {
                resp.body().onComplete(b -> fail(key, x, ErrorKind.ofStatus(resp.statusCode()), resp.statusCode(),
                        "HTTP " + resp.statusCode() + ": "
                                + (b.succeeded() ? StreamState.abbreviate(b.result().toString()) : b.cause().toString())));
                return;
            }
            Sse.Decoder decoder = Sse.decoder();
            resp.handler(chunk -> {
                long now = nanoTime.getAsLong();
                for (String event : decoder.feed(chunk.getBytes())) {
                    x.stream.event(event, now);
                }
                if (x.stream.streamError() != null) {
                    fail(key, x, ErrorKind.STREAM_ERROR, 0, x.stream.streamError());
                } else if (x.stream.malformed() != null) {
                    fail(key, x, ErrorKind.MALFORMED_STREAM, 0, x.stream.malformed());
                }
            });
            resp.exceptionHandler(e -> fail(key, x, classify(e), 0, e.toString()));
            resp.endHandler(v -> {
                if (x.stream.done()) {
                    complete(key, x);
                } else {
                    fail(key, x, ErrorKind.MALFORMED_STREAM, 0, "the stream ended without data: [DONE]");
                }
            });
        }

        private boolean finish(long key, Exchange x) {
            if (x.finished) {
                return false;
            }
            x.finished = true;
            inFlight.remove(key);
            inFlightCount.decrementAndGet();
            if (x.timer >= 0) {
                vertx.cancelTimer(x.timer);
            }
            return true;
        }

        private void complete(long key, Exchange x) {
            if (!finish(key, x)) {
                return;
            }
            long end = nanoTime.getAsLong();
            StreamState s = x.stream;
            TraceRecord r = x.record;
            int promptTokens = s.usagePrompt() >= 0 ? s.usagePrompt()
                    : r.promptTokens() >= 0 ? r.promptTokens() : PromptText.of(r).split("\\s+").length;
            int outputTokens = s.usageReported() ? s.usageCompletion() : s.chunks();
            completed.incrementAndGet();
            measurements.add(new RequestResult.Completed(r.id(), r.tenant(), x.sentAt - start, s.ttftNanos(end),
                    end - x.sentAt, promptTokens, outputTokens, s.usageReported()), s.gaps());
            next();
        }

        private void fail(long key, Exchange x, ErrorKind kind, int status, String detail) {
            if (!finish(key, x)) {
                return;
            }
            // a stream still open (timed out, broken) is reset so the server stops generating for it
            if (x.request != null && (kind == ErrorKind.TIMEOUT || kind == ErrorKind.STREAM_ERROR
                    || kind == ErrorKind.MALFORMED_STREAM)) {
                x.request.reset();
            }
            failed.incrementAndGet();
            measurements.add(new RequestResult.Failed(x.record.id(), x.record.tenant(), x.sentAt - start,
                    nanoTime.getAsLong() - x.sentAt, kind, status, detail));
            next();
        }

        private void next() {
            if (plan.workload() instanceof Workload.Concurrency c) {
                closedLoop(c.inFlight());
            } else {
                maybeFinish();
            }
        }

        void cancelAll() {
            if (cancelledAt < 0) {
                cancelledAt = nanoTime.getAsLong();
            }
            for (var e : Map.copyOf(inFlight).entrySet()) {
                Exchange x = e.getValue();
                if (finish(e.getKey(), x)) {
                    if (x.request != null) {
                        x.request.reset();
                    }
                    measurements.cancelled();
                }
            }
            done.tryComplete();
        }

        private void maybeFinish() {
            if (!inFlight.isEmpty()) {
                return;
            }
            boolean closed = plan.workload() instanceof Workload.Concurrency;
            if (cancelRequested || (closed ? !canSendMore() : allSent)) {
                done.tryComplete();
            }
        }

        Run result() {
            long end = cancelledAt >= 0 ? cancelledAt : start + measurements.lastEndNanos();
            double seconds = Math.max(0, end - start) / 1e9;
            return new Run(measurements, seconds, cancelledAt >= 0, sentCount, plan.describe());
        }
    }
}
