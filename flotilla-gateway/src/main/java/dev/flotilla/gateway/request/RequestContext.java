package dev.flotilla.gateway.request;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one request as it moves through the pipeline's stages. Confined to the event loop
 * that received the request (Vert.x runs the node client's callbacks there too), so it needs no
 * locks. Bounded: a few references per request, the body is the client's buffer, never a copy.
 */
public final class RequestContext {
    /** The request header that names the client's session for the scheduler (else the body's {@code user}). */
    public static final String SESSION_HEADER = "x-session-id";
    /** The response header that names the node that served a proxied request (the first one of a continued stream). */
    public static final String NODE_HEADER = "x-flotilla-node";

    private String sessionHeader;
    private double[] totals;
    private boolean observed;
    private final Endpoint endpoint;
    private Buffer body;
    private final HttpServerResponse response;
    private final long startNanos;

    private InferenceRequest request;

    private SchedulingRequest schedulingRequest;
    private List<NodeSnapshot> candidates = List.of();
    private NodeSnapshot chosen;
    private final List<String> tried = new ArrayList<>(2);
    private RuntimeException lastNodeFailure;
    private NodeRegistry.Lease lease;
    private HttpClientRequest upstreamRequest;
    private HttpClientResponse upstreamResponse;
    private int upstreamStatus;
    private long dispatchedNanos;
    private long firstTokenNanos;
    private long lastTokenNanos;
    private GatewayMetrics.Series series;
    private StreamScanner scanner;
    private boolean clientGone;
    private Runnable onClientGone;
    private Throwable failure;

    private GatewayConfig.Timeouts timeouts;
    private Continuation continuation;
    private int attempts;
    private boolean permitHeld;
    private boolean dispatchedAttempt;
    private boolean attemptReported;
    private long attemptTimer = -1;
    private long totalTimer = -1;
    private boolean totalTimedOut;
    private java.util.function.Consumer<RuntimeException> onAttemptFailure;
    private Hedger.Hedge hedge;
    private Runnable onFirstOutput;
    private Buffer early;
    private boolean earlyComplete;

    public RequestContext(Endpoint endpoint, Buffer body, HttpServerResponse response, long startNanos) {
        this.endpoint = endpoint;
        this.body = body;
        this.response = response;
        this.startNanos = startNanos;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The body sent to the node: the client's, or a continuation's after a node failed mid-stream. */
    public Buffer body() {
        return body;
    }

    /** Continues a stream on another node with this body; the stream's events are rewritten from now on. */
    void continueWith(Buffer continuationBody) {
        this.body = continuationBody;
    }

    /** The kept output of a successful stream, for continuing it elsewhere; null for other requests. */
    Continuation continuation() {
        return continuation;
    }

    /** Sets the stream's continuation; one it replaces gives its kept bytes' room back. */
    void continuation(Continuation continuation) {
        if (this.continuation != null && this.continuation != continuation) {
            this.continuation.release();
        }
        this.continuation = continuation;
    }

    /** The client's {@value #SESSION_HEADER} header, or null. */
    public String sessionHeader() {
        return sessionHeader;
    }

    public void sessionHeader(String value) {
        this.sessionHeader = value == null || value.isBlank() ? null : value;
    }

    /** The session key the scheduler gets: the {@value #SESSION_HEADER} header, else the body's {@code user}. */
    String sessionKey() {
        return sessionHeader != null ? sessionHeader : request == null ? null : request.user();
    }

    /** The candidates' weighted totals from Score, one per candidate. */
    double[] totals() {
        return totals;
    }

    void totals(double[] value) {
        this.totals = value;
    }

    /** Whether the observing plugins were told of the current attempt's dispatch and not yet of its end. */
    boolean observed() {
        return observed;
    }

    void observed(boolean value) {
        this.observed = value;
    }

    public HttpServerResponse response() {
        return response;
    }

    public long startNanos() {
        return startNanos;
    }

    public InferenceRequest request() {
        return request;
    }

    /** The request as the scheduling plugins see it; null until Candidates first runs. */
    public SchedulingRequest schedulingRequest() {
        return schedulingRequest;
    }

    public void schedulingRequest(SchedulingRequest value) {
        this.schedulingRequest = value;
    }

    void request(InferenceRequest request) {
        this.request = request;
    }

    public List<NodeSnapshot> candidates() {
        return candidates;
    }

    void candidates(List<NodeSnapshot> candidates) {
        this.candidates = candidates;
    }

    /** The node of the current (last) attempt, or null before Pick. */
    public NodeSnapshot chosen() {
        return chosen;
    }

    void chosen(NodeSnapshot chosen) {
        this.chosen = chosen;
    }

    /** Names of the nodes already tried, in order. */
    public List<String> tried() {
        return tried;
    }

    RuntimeException lastNodeFailure() {
        return lastNodeFailure;
    }

    void lastNodeFailure(RuntimeException failure) {
        this.lastNodeFailure = failure;
    }

    NodeRegistry.Lease lease() {
        return lease;
    }

    void lease(NodeRegistry.Lease lease) {
        this.lease = lease;
    }

    /** Keeps the upstream request so a client that goes away can reset it; resets at once if it already has. */
    void upstreamRequest(HttpClientRequest request) {
        this.upstreamRequest = request;
        if (clientGone) {
            request.reset();
        }
    }

    HttpClientResponse upstreamResponse() {
        return upstreamResponse;
    }

    void upstreamResponse(HttpClientResponse response) {
        this.upstreamResponse = response;
        this.upstreamStatus = response.statusCode();
    }

    /** The ticker's reading when the current attempt was sent to the node. */
    long dispatchedNanos() {
        return dispatchedNanos;
    }

    void dispatched(long nanos) {
        this.dispatchedNanos = nanos;
        this.firstTokenNanos = 0;
        this.lastTokenNanos = 0;
    }

    /** The ticker's reading when the first generated token of a stream arrived, 0 when none did (yet). */
    long firstTokenNanos() {
        return firstTokenNanos;
    }

    void firstToken(long nanos) {
        this.firstTokenNanos = nanos;
    }

    /** The ticker's reading when the latest event with output of a stream arrived, 0 when none did. */
    long lastTokenNanos() {
        return lastTokenNanos;
    }

    void lastToken(long nanos) {
        this.lastTokenNanos = nanos;
    }

    /** The metrics of the request's model on the chosen node, once Stream has looked them up; else null. */
    GatewayMetrics.Series series() {
        return series;
    }

    void series(GatewayMetrics.Series series) {
        this.series = series;
    }

    /** What was read of the node's successful answer (output events, usage), or null when none came. */
    StreamScanner scanner() {
        return scanner;
    }

    void scanner(StreamScanner scanner) {
        this.scanner = scanner;
    }

    /** The node's HTTP status, 0 when no node answered. */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    public boolean clientGone() {
        return clientGone;
    }

    void onClientGone(Runnable action) {
        this.onClientGone = action;
    }

    /**
     * The client's connection closed. If the answer was not complete, the upstream request is
     * reset so the node sees the disconnect and stops generating.
     */
    public void clientClosed() {
        if (clientGone || response.ended()) {
            return;
        }
        clientGone = true;
        if (upstreamRequest != null) {
            upstreamRequest.reset();
        }
        if (onClientGone != null) {
            onClientGone.run();
        }
    }

    /** The request's model's timeouts, once the pipeline has read the request. */
    GatewayConfig.Timeouts timeouts() {
        return timeouts;
    }

    void timeouts(GatewayConfig.Timeouts timeouts) {
        this.timeouts = timeouts;
    }

    /** Attempts made so far (1 while the first one runs). */
    int attempts() {
        return attempts;
    }

    /** Starts an attempt: forgets what the previous one left (its answer, timer and failure hook). */
    void newAttempt() {
        attempts++;
        dispatchedAttempt = false;
        chosen = null;
        lease = null;
        upstreamRequest = null;
        upstreamResponse = null;
        upstreamStatus = 0;
        scanner = null;
        series = null;
        attemptReported = false;
        onAttemptFailure = null;
    }

    /** Whether the current attempt reached Dispatch (a failure before it, such as no candidate left, is final). */
    boolean dispatchedAttempt() {
        return dispatchedAttempt;
    }

    void dispatchedAttempt(boolean dispatched) {
        this.dispatchedAttempt = dispatched;
    }

    /** Whether this request holds a circuit-breaker permission for {@link #chosen()} not yet reported. */
    boolean permitHeld() {
        return permitHeld;
    }

    void permitHeld(boolean held) {
        this.permitHeld = held;
    }

    /** The current attempt's outcome was already reported to the registry and the circuit (it was abandoned). */
    boolean attemptReported() {
        return attemptReported;
    }

    void attemptReported(boolean reported) {
        this.attemptReported = reported;
    }

    long attemptTimer() {
        return attemptTimer;
    }

    void attemptTimer(long id) {
        this.attemptTimer = id;
    }

    long totalTimer() {
        return totalTimer;
    }

    void totalTimer(long id) {
        this.totalTimer = id;
    }

    boolean totalTimedOut() {
        return totalTimedOut;
    }

    /** What ends the running attempt when a timer fires (set by Dispatch, then by Stream). */
    void onAttemptFailure(java.util.function.Consumer<RuntimeException> action) {
        this.onAttemptFailure = action;
    }

    /**
     * A timeout fired: the upstream request is reset (the node sees the connection close and frees
     * its slot) and the running attempt fails with the timeout.
     */
    void timedOut(RuntimeException timeout, boolean total) {
        if (total) {
            totalTimedOut = true;
        }
        interrupt(timeout);
    }

    /** Ends the running attempt with {@code cause} and resets its upstream request. */
    void interrupt(RuntimeException timeout) {
        // the attempt fails with the timeout first (the reset would fail it too, as a reset), and the
        // request reset is the timed-out one: failing the attempt may already have started the next
        HttpClientRequest timedOut = upstreamRequest;
        if (onAttemptFailure != null) {
            onAttemptFailure.accept(timeout);
        }
        if (timedOut != null) {
            timedOut.reset();
        }
    }

    /**
     * Drops the current attempt's answer: a complete error answer is read to its end and discarded
     * (its connection goes back to the pool); anything else is reset.
     */
    void abandonUpstream() {
        if (upstreamResponse != null && upstreamStatus >= 500) {
            try {
                upstreamResponse.exceptionHandler(e -> { });
                upstreamResponse.handler(b -> { });
                upstreamResponse.resume();
                return;
            } catch (IllegalStateException alreadyRead) {
                // nothing left to drain
            }
        }
        if (upstreamRequest != null) {
            upstreamRequest.reset();
        }
    }

    /** The request's hedge ({@link Hedger}), or null when none was armed. */
    Hedger.Hedge hedge() {
        return hedge;
    }

    void hedge(Hedger.Hedge hedge) {
        this.hedge = hedge;
    }

    /** What runs when the running attempt's stream has its first event with output (ends a hedge that lost). */
    void onFirstOutput(Runnable action) {
        this.onFirstOutput = action;
    }

    void firstOutput() {
        if (onFirstOutput != null) {
            Runnable action = onFirstOutput;
            onFirstOutput = null;
            action.run();
        }
    }

    /** Bytes of the current attempt's answer already read (by a hedge that won), taken once by Stream. */
    Buffer takeEarly() {
        Buffer b = early;
        early = null;
        earlyComplete = false;
        return b;
    }

    /** Whether the {@link #takeEarly early} bytes are the whole answer (a non-streamed hedge that won): its response has ended. */
    boolean earlyComplete() {
        return earlyComplete;
    }

    void early(Buffer bytes, boolean complete) {
        this.early = bytes;
        this.earlyComplete = complete;
    }

    /** Why the request failed, or null when it succeeded (set before Complete runs). */
    public Throwable failure() {
        return failure;
    }

    RequestContext finish(Throwable failure) {
        this.failure = failure;
        return this;
    }
}
