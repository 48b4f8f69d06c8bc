package dev.flotilla.bench.sim;

import dev.flotilla.bench.report.BenchReport;
import dev.flotilla.bench.report.ErrorKind;
import dev.flotilla.bench.report.Measurements;
import dev.flotilla.bench.report.RequestResult;
import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.trace.RequestSeed;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.PrefixCacheStats;
import dev.flotilla.engine.PromptTooLongException;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.engine.sim.SimScheduler;
import dev.flotilla.engine.sim.VirtualScheduler;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.InferenceRequest;
import dev.flotilla.protocol.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One simulation: a fresh fleet of engines on one virtual clock, the gateway's scheduler, and the
 * events that drive them: arrivals (all requests of one instant dispatched together, so that they
 * can share a prefill as they would live), periodic scrapes published after the scrape delay, and
 * the engines' own iterations. Runs on the caller's thread until nothing is left to do.
 */
final class SimRun {
    private final FleetSpec fleet;
    private final Endpoint endpoint;
    private final long seed;
    private final PromptRenderer renderer;
    private final Consumer<SimResult> results;
    private final VirtualScheduler clock = new VirtualScheduler();
    private final List<SimNode> nodes = new ArrayList<>();
    private final SimRouter router;
    private final Measurements m = new Measurements();
    private final Slo slo;
    private final long requestOverhead;
    private final long responseOverhead;
    private final long scrapeInterval;
    private final long scrapeDelay;

    private Iterator<SimRequest> requests;
    private SimRequest next;
    private long offered;
    private long inFlight;
    private boolean arrivalsDone;
    /** Set when the run ends, normally or by an exception: engines closing fail what they still hold. */
    private boolean closing;

    SimRun(FleetSpec fleet, SchedulingPlugins plugins, Endpoint endpoint, long seed, Slo slo,
           PromptRenderer renderer, Consumer<SimResult> results) {
        this.fleet = fleet;
        this.endpoint = endpoint;
        this.seed = seed;
        this.renderer = renderer;
        this.results = results;
        this.slo = slo;
        this.requestOverhead = fleet.requestOverhead().toNanos();
        this.responseOverhead = fleet.responseOverhead().toNanos();
        this.scrapeInterval = fleet.scrapeInterval().toNanos();
        this.scrapeDelay = fleet.scrapeDelay().toNanos();
        long late = fleet.iterationOverhead().toNanos();
        // a live node's real-time scheduler wakes a little after each due time; its engine's events are that late
        SimScheduler engines = late == 0 ? clock : new SimScheduler() {
            @Override
            public long nanoTime() {
                return clock.nanoTime();
            }

            @Override
            public void schedule(long atNanos, Runnable task) {
                clock.schedule(Math.max(atNanos, clock.nanoTime()) + late, task);
            }
        };
        List<String> names = fleet.nodeNames();
        for (FleetSpec.NodeGroup g : fleet.nodes()) {
            for (int i = 0; i < g.count(); i++) {
                int index = nodes.size();
                nodes.add(new SimNode(index, names.get(index), g.profile(), fleet.model(), engines, g.prefixCaching()));
            }
        }
        this.router = new SimRouter(plugins, fleet.policy(), nodes, fleet.model(), fleet.staleAfter(), clock, seed);
    }

    SimReport run(Iterator<SimRequest> input, Map<String, Object> runInfo) {
        this.requests = input;
        next = input.hasNext() ? input.next() : null;
        // the gateway scrapes from its start, before the first request
        clock.schedule(0, this::scrape);
        if (next != null) {
            clock.schedule(next.arrivalNanos(), this::arrive);
        } else {
            arrivalsDone = true;
        }
        try {
            clock.runUntilIdle(Long.MAX_VALUE);
            if (inFlight != 0) {
                throw new IllegalStateException("the simulation went idle with " + inFlight
                        + " requests in flight at " + clock.nanoTime() + " ns");
            }
            return report(runInfo);
        } finally {
            closing = true;
            nodes.forEach(n -> n.engine.close());
        }
    }

    /** Dispatches every request arriving now, then waits for the next arrival time. */
    private void arrive() {
        long now = clock.nanoTime();
        do {
            SimRequest r = next;
            next = requests.hasNext() ? requests.next() : null;
            if (next != null && next.arrivalNanos() < r.arrivalNanos()) {
                throw new IllegalArgumentException("request " + next.id() + ": arrival " + next.arrivalNanos()
                        + " ns (expected >= " + r.arrivalNanos() + " ns, the previous request's: requests come in "
                        + "arrival order)");
            }
            dispatch(r, now);
        } while (next != null && next.arrivalNanos() == now);
        if (next != null) {
            clock.schedule(next.arrivalNanos(), this::arrive);
        } else {
            arrivalsDone = true;
        }
    }

    private void dispatch(SimRequest r, long now) {
        offered++;
        String text = renderer.render(r);
        InferenceRequest request = router.request(endpoint, text, r.maxTokens(), r.session());
        SimRouter.Routed routed = router.route(request, renderer.charsPerToken(r));
        if (routed == null) {
            reject(new SimResult.Rejected(r, null, SimResult.RejectReason.NO_NODE, now,
                    "No node serving the model '" + fleet.model() + "' is up; retry later"));
            return;
        }
        SimNode node = routed.node();
        router.dispatched(routed);
        inFlight++;
        String prompt = endpoint == Endpoint.CHAT ? node.engine.chatPrompt(request.messages()) : text;
        Exchange exchange = new Exchange(r, routed, prompt, RequestSeed.of(r.id(), seed), now);
        if (requestOverhead == 0) {
            exchange.submit();
        } else {
            clock.schedule(now + requestOverhead, exchange::submit);
        }
    }

    private void finished(SimRouter.Routed routed, Completion completion) {
        router.finished(routed, completion);
        inFlight--;
    }

    private void reject(SimResult.Rejected r) {
        SimRequest q = r.request();
        int status = r.reason().httpStatus();
        m.add(new RequestResult.Failed(q.id(), q.tenant(), q.arrivalNanos(), r.atNanos() - q.arrivalNanos(),
                ErrorKind.ofStatus(status), status, r.detail()));
        results.accept(r);
    }

    /** Samples every node now and publishes the readings after the scrape delay, while work remains. */
    private void scrape() {
        long now = clock.nanoTime();
        SimNode.Sample[] samples = new SimNode.Sample[nodes.size()];
        for (SimNode node : nodes) {
            samples[node.index] = node.sample();
        }
        if (scrapeDelay == 0) {
            publish(samples);
        } else {
            clock.schedule(now + scrapeDelay, () -> publish(samples));
        }
        if (!arrivalsDone || inFlight > 0) {
            clock.schedule(now + scrapeInterval, this::scrape);
        }
    }

    private void publish(SimNode.Sample[] samples) {
        router.publish(samples, Instant.EPOCH.plusNanos(clock.nanoTime()));
    }

    private SimReport report(Map<String, Object> runInfo) {
        long queried = 0;
        long hits = 0;
        List<SimReport.NodeReport> perNode = new ArrayList<>(nodes.size());
        for (SimNode n : nodes) {
            PrefixCacheStats cache = n.prefixCache();
            queried += cache.queriedTokens();
            hits += cache.hitTokens();
            perNode.add(new SimReport.NodeReport(n.name, n.profile.name(), n.served, n.refused, n.promptTokensTotal,
                    n.generationTokensTotal, cache.queriedTokens(), cache.hitTokens(),
                    n.engine.activity().busyNanos() / 1e9));
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("mode", "sim");
        run.put("model_id", fleet.model());
        run.put("endpoint", endpoint.path());
        run.put("fleet", fleet.describe());
        run.put("nodes", fleet.nodeCount());
        run.put("policy", router.policy());
        run.put("seed", seed);
        run.put("scrape_interval_ms", fleet.scrapeInterval().toNanos() / 1e6);
        run.put("scrape_delay_ms", fleet.scrapeDelay().toNanos() / 1e6);
        run.put("request_overhead_ms", fleet.requestOverhead().toNanos() / 1e6);
        run.put("response_overhead_ms", fleet.responseOverhead().toNanos() / 1e6);
        run.put("iteration_overhead_ms", fleet.iterationOverhead().toNanos() / 1e6);
        run.putAll(runInfo);
        run.put("requests", offered);
        // as the live bench: from the start of the run (t = 0 of the trace) to the last request's end
        double duration = m.lastEndNanos() / 1e9;
        return new SimReport(BenchReport.of(m, duration, slo, run), m, queried, hits, perNode);
    }

    /**
     * One request on its node: submits it to the engine and measures its stream as the client would
     * see it. Per token it reads the clock and records one inter-token gap, nothing else.
     */
    private final class Exchange implements TokenListener {
        private final SimRequest request;
        private final SimRouter.Routed routed;
        private final SimNode node;
        private final String prompt;
        private final long requestSeed;
        /** When the gateway sent it (the attempt's start, as the gateway times a Completion). */
        private final long dispatchedNanos;
        private long firstTokenNanos = -1;
        private long lastTokenNanos;
        /** Gaps between tokens as the client sees them; one array per request, none per token. */
        private long[] gaps;
        private int gapCount;

        Exchange(SimRequest request, SimRouter.Routed routed, String prompt, long requestSeed, long dispatchedNanos) {
            this.request = request;
            this.routed = routed;
            this.node = routed.node();
            this.dispatchedNanos = dispatchedNanos;
            this.prompt = prompt;
            this.requestSeed = requestSeed;
            this.gaps = new long[Math.min(request.maxTokens(), 256)];
        }

        void submit() {
            try {
                node.engine.submit(new GenerationRequest(request.id(), prompt, request.maxTokens(),
                        InferenceRequest.DEFAULT_TEMPERATURE, InferenceRequest.DEFAULT_TOP_P, requestSeed, List.of()),
                        this);
            } catch (PromptTooLongException e) {
                node.refused++;
                // a 400 from the node: says nothing of its speed
                finished(routed, new Completion(Completion.Outcome.REJECTED, -1, -1, -1,
                        clock.nanoTime() - dispatchedNanos));
                reject(new SimResult.Rejected(request, node.name, SimResult.RejectReason.PROMPT_TOO_LONG,
                        clock.nanoTime(), e.getMessage()));
            }
        }

        @Override
        public void onToken(String text) {
            if (text.isEmpty()) {
                return; // the node sends no chunk for a token that completes no character
            }
            long now = clock.nanoTime();
            if (firstTokenNanos < 0) {
                firstTokenNanos = now;
            } else {
                if (gapCount == gaps.length) {
                    gaps = Arrays.copyOf(gaps, gaps.length * 2);
                }
                gaps[gapCount++] = now - lastTokenNanos;
            }
            lastTokenNanos = now;
        }

        @Override
        public void onComplete(FinishReason reason, Usage usage) {
            node.served++;
            node.promptTokensTotal += usage.promptTokens();
            node.generationTokensTotal += usage.completionTokens();
            long arrival = request.arrivalNanos();
            long first = firstTokenNanos < 0 ? clock.nanoTime() : firstTokenNanos;
            long last = firstTokenNanos < 0 ? clock.nanoTime() : lastTokenNanos;
            // as the gateway sees the attempt: from dispatch to the first and the last byte reaching it
            finished(routed, new Completion(Completion.Outcome.SUCCESS, usage.promptTokens(), usage.completionTokens(),
                    firstTokenNanos < 0 ? -1 : first + responseOverhead - dispatchedNanos,
                    last + responseOverhead - dispatchedNanos));
            SimResult.Completed r = new SimResult.Completed(request, node.name, first + responseOverhead - arrival,
                    last + responseOverhead - arrival, usage.promptTokens(), usage.completionTokens());
            m.add(new RequestResult.Completed(request.id(), request.tenant(), arrival, r.ttftNanos(), r.e2elNanos(),
                    r.promptTokens(), r.outputTokens(), true), gapCount == gaps.length ? gaps : Arrays.copyOf(gaps, gapCount));
            results.accept(r);
        }

        @Override
        public void onError(Throwable error) {
            if (closing) {
                return; // the run already failed; its exception is the one that matters
            }
            throw new IllegalStateException("request " + request.id() + " on " + node.name + " failed: "
                    + error.getMessage(), error);
        }
    }
}
