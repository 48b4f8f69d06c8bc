package dev.flotilla.bench.sim.matrix;

import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.engine.GenerationRequest;
import dev.flotilla.engine.TokenListener;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.sim.VirtualScheduler;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.FinishReason;
import dev.flotilla.protocol.InferenceRequest;
import dev.flotilla.protocol.Usage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A fleet's capacity for a workload, from the simulated accelerators' performance model: the
 * request rate each node sustains when its batch is as full as its batch and KV limits allow,
 * summed over the nodes. Per node, with the workload's mean engine-counted prompt {@code P}, mean
 * KV reservation {@code R} (prompt plus {@code max_tokens}, capped at the context), mean generated
 * tokens {@code O}:
 *
 * <pre>
 * B = min(maxBatchSize, floor(kvCacheTokens / R))            requests decoding together
 * C = mean shared-prefix tokens if B >= number of prefix groups, else 0
 * k = max(1, B / O)                                          prompts prefilled together (B/O leave per step)
 * T = prefill(k * (P - C)) / k + (O - 1) * decode(B) / B     engine time per request
 *   = gamma / k + delta * (P - C) + (O - 1) * (alpha + beta * B) / B
 * rate = fit / T                                             fit: share of requests whose prompt fits the context
 * </pre>
 *
 * Shared system prompts ({@code prefix_group}) count as cached on a node whose batch holds at
 * least one request per group (each prefix is then normally held by a running request); any other
 * cache hit, such as a conversation's earlier turns, is left out, so a policy that sends a
 * conversation back to the node holding its history can serve more than this capacity. {@code O} is not the trace's {@code output_tokens}: the simulated engine ends its text
 * after 1 to 6 sentences, so a request generates {@code min(max_tokens, L)} tokens with {@code L}
 * drawn from the engine's own text; this class measures that distribution once, by running the
 * engine on the zero-time profile.
 */
public final class CapacityModel {
    /** Prompt tokens the engine's chat template adds around one user message ("user: ...\nassistant:"). */
    static final int CHAT_TEMPLATE_TOKENS = 4;
    private static final int LENGTH_SAMPLES = 4000;
    private static final int LENGTH_LIMIT = 1000;

    private final Endpoint endpoint;
    /** P(L >= n) for n = 0..LENGTH_LIMIT: E[min(m, L)] = sum over n = 1..m of P(L >= n). */
    private final double[] atLeast;

    /** A model for requests sent as {@code endpoint} would send them (chat adds the template's tokens). */
    public CapacityModel(Endpoint endpoint) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.atLeast = naturalLengths();
    }

    /**
     * One group of identical nodes' part of the capacity.
     *
     * @param fitShare            share of the workload's requests whose prompt fits the node's context
     * @param meanPromptTokens    P over the requests that fit
     * @param meanCachedTokens    C, of those the shared prefix counted as cached
     * @param meanOutputTokens    O, generated tokens per request
     * @param meanReservation     R, KV tokens reserved per request
     * @param batch               B
     * @param secondsPerRequest   T
     * @param perNode             requests per second one node sustains, fit / T
     */
    public record GroupCapacity(String profile, int count, double fitShare, double meanPromptTokens,
                                double meanCachedTokens, double meanOutputTokens, double meanReservation, int batch, double secondsPerRequest,
                                double perNode) {
        public double total() {
            return perNode * count;
        }
    }

    /** The fleet's capacity in requests per second and how each group contributes. */
    public record Capacity(double requestsPerSecond, List<GroupCapacity> groups) {
        public Capacity {
            groups = List.copyOf(groups);
        }

        /** E.g. {@code 8x A100-80G: P=229, C=0, O=38.5, R=401, B=256, T=37.8 ms, fit 100%, 26.42 req/s each}. */
        public String describe() {
            return groups.stream().map(g -> String.format(Locale.ROOT,
                    "%dx %s: P=%.0f, C=%.0f, O=%.1f, R=%.0f, B=%d, T=%.1f ms, fit %.0f%%, %.2f req/s each", g.count(),
                    g.profile(), g.meanPromptTokens(), g.meanCachedTokens(), g.meanOutputTokens(), g.meanReservation(), g.batch(),
                    g.secondsPerRequest() * 1e3, g.fitShare() * 100, g.perNode()))
                    .collect(Collectors.joining("; "));
        }
    }

    /** The capacity of {@code fleet} for requests like {@code sample} (a trace of the workload at any rate). */
    public Capacity capacity(FleetSpec fleet, List<TraceRecord> sample) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("sample: no requests (expected a trace of the workload)");
        }
        List<GroupCapacity> groups = new ArrayList<>();
        double total = 0;
        for (FleetSpec.NodeGroup g : fleet.nodes()) {
            GroupCapacity c = group(g.profile(), g.count(), sample);
            groups.add(c);
            total += c.total();
        }
        return new Capacity(total, groups);
    }

    /** Generated tokens expected for a request of {@code maxTokens} whose prompt has {@code promptTokens}. */
    double expectedOutput(int maxTokens, int promptTokens, int contextTokens) {
        int limit = Math.min(Math.min(maxTokens, LENGTH_LIMIT), Math.max(1, contextTokens - promptTokens));
        double sum = 0;
        for (int n = 1; n <= limit; n++) {
            sum += atLeast[n];
        }
        return sum;
    }

    private GroupCapacity group(AcceleratorProfile profile, int count, List<TraceRecord> sample) {
        int context = profile.maxContextTokens();
        long fit = 0;
        double prompt = 0;
        double prefix = 0;
        double output = 0;
        double reservation = 0;
        Set<String> groups = new HashSet<>();
        for (TraceRecord r : sample) {
            int p = r.promptTokens() + (endpoint == Endpoint.CHAT ? CHAT_TEMPLATE_TOKENS : 0);
            if (p >= context) {
                continue; // the engine refuses it
            }
            fit++;
            prompt += p;
            if (r.prompt() instanceof TraceRecord.Synthetic s && s.prefixGroup() != null) {
                groups.add(s.prefixGroup());
                prefix += s.prefixTokens();
            }
            output += expectedOutput(r.outputTokens(), p, context);
            reservation += Math.min((long) p + r.outputTokens(), context);
        }
        if (fit == 0) {
            return new GroupCapacity(profile.name(), count, 0, 0, 0, 0, 0, 0, Double.POSITIVE_INFINITY, 0);
        }
        double share = (double) fit / sample.size();
        prompt /= fit;
        prefix /= fit;
        output /= fit;
        reservation /= fit;
        int batch = (int) Math.max(1, Math.min(profile.maxBatchSize(), Math.floor(profile.kvCacheTokens() / reservation)));
        // with at least as many requests running as there are shared prefixes, each prefix is normally held by a
        // running request, so it is cached when the next request of its group is admitted
        double cached = !groups.isEmpty() && batch >= groups.size() ? prefix : 0;
        double uncached = Math.max(1, prompt - cached);
        double together = Math.max(1, batch / output);
        double prefill = profile.prefillNanos(Math.round(together * uncached)) / together;
        double decode = Math.max(0, output - 1) * profile.decodeNanos(batch) / batch;
        double seconds = (prefill + decode) / 1e9;
        double perNode = seconds > 0 ? share / seconds : Double.POSITIVE_INFINITY;
        return new GroupCapacity(profile.name(), count, share, prompt, cached, output, reservation, batch, seconds,
                perNode);
    }

    /**
     * The engine's own output lengths without a limit: {@value #LENGTH_SAMPLES} requests of distinct
     * prompts and seeds on the zero-time profile, as P(L >= n).
     */
    private static double[] naturalLengths() {
        VirtualScheduler clock = new VirtualScheduler();
        SimulatedEngine engine = SimulatedEngine.create("capacity", AcceleratorProfile.ZERO, clock, false);
        long[] counts = new long[LENGTH_LIMIT + 2];
        TokenListener listener = new TokenListener() {
            @Override
            public void onToken(String text) {
            }

            @Override
            public void onComplete(FinishReason reason, Usage usage) {
                counts[Math.min(LENGTH_LIMIT + 1, usage.completionTokens())]++;
            }

            @Override
            public void onError(Throwable error) {
                throw new IllegalStateException("measuring the engine's output lengths failed", error);
            }
        };
        try {
            for (int i = 0; i < LENGTH_SAMPLES; i++) {
                engine.submit(new GenerationRequest("len-" + i, "prompt " + i, LENGTH_LIMIT + 1,
                        InferenceRequest.DEFAULT_TEMPERATURE, InferenceRequest.DEFAULT_TOP_P, i, List.of()), listener);
                if (i % 512 == 511) {
                    clock.runUntilIdle(Long.MAX_VALUE);
                }
            }
            clock.runUntilIdle(Long.MAX_VALUE);
        } finally {
            engine.close();
        }
        double[] atLeast = new double[LENGTH_LIMIT + 1];
        long remaining = LENGTH_SAMPLES;
        for (int n = 0; n <= LENGTH_LIMIT; n++) {
            atLeast[n] = (double) remaining / LENGTH_SAMPLES;
            remaining -= counts[n];
        }
        return atLeast;
    }
}
