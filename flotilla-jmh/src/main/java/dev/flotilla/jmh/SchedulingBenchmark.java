package dev.flotilla.jmh;

import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.scheduling.KvCacheScorer;
import dev.flotilla.gateway.scheduling.MaxScorePicker;
import dev.flotilla.gateway.scheduling.PredictedLatencyScorer;
import dev.flotilla.gateway.scheduling.PrefixAffinityScorer;
import dev.flotilla.gateway.scheduling.Profiles;
import dev.flotilla.gateway.scheduling.ProfileSpec;
import dev.flotilla.gateway.scheduling.QueueDepthScorer;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.SchedulingMetrics;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.gateway.scheduling.spi.Completion;
import dev.flotilla.gateway.scheduling.spi.PluginContext;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.ChatMessage;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling decision as the gateway's request path makes it, over fleets of 16, 128 and 1,024
 * nodes: describe the request (prompt text, token estimate, block hashes), run the profile's filters
 * (healthy, serves-model), its scorers, the picker, and tell the stateful plugins of the dispatch.
 * Profiles: {@code four-scorers} (queue depth 2, KV cache 2, prefix affinity 3, predicted latency 3,
 * max-score) and the built-in {@code flotilla} and {@code least-requests}. Prompts are 32 chat
 * conversations of about 2,000 characters over 8 shared system prompts, in turn, so the prefix index
 * and the latency fits work as they do under traffic; they were warmed with 20,000 dispatches and
 * completions before measuring, and every measured decision is followed by its completion (measured
 * too: the bookkeeping of the stateful plugins is part of a request's cost). Allocation per decision: run with {@code -prof gc}
 * ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SchedulingBenchmark {
    static final String FOUR_SCORERS = "four-scorers";

    @Param({"16", "128", "1024"})
    public int nodes;

    @Param({FOUR_SCORERS, "flotilla", "least-requests"})
    public String profile;

    private Scheduler scheduler;
    private List<NodeSnapshot> fleet;
    private InferenceRequest[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        fleet = Fleets.mixed(nodes, 42);
        requests = prompts(32, 8, 42);
        scheduler = scheduler(profile);
        warm(scheduler, fleet, requests, 20_000);
    }

    @Benchmark
    public NodeSnapshot decide() {
        InferenceRequest r = requests[next];
        next = (next + 1) % requests.length;
        SchedulingRequest request = scheduler.describe(r, r.user());
        NodeSnapshot node = decide(scheduler, fleet, request);
        // the request ends at once: the stateful plugins stay in the steady state of the warm-up (on a
        // fixed clock nothing they remember would otherwise ever expire)
        scheduler.finished(request, node.name(), DONE);
        return node;
    }

    private static final Completion DONE = new Completion(Completion.Outcome.SUCCESS, 500, 100, 60_000_000L,
            1_300_000_000L);

    /** What the request path does per request, from the parsed body to the dispatched node. */
    static NodeSnapshot decideOnce(Scheduler scheduler, List<NodeSnapshot> fleet, InferenceRequest r) {
        return decide(scheduler, fleet, scheduler.describe(r, r.user()));
    }

    private static NodeSnapshot decide(Scheduler scheduler, List<NodeSnapshot> fleet, SchedulingRequest request) {
        List<NodeSnapshot> candidates = scheduler.candidates(request, fleet, Set.of());
        Optional<NodeSnapshot> picked = scheduler.pick(candidates, request);
        NodeSnapshot node = picked.orElseThrow();
        scheduler.dispatched(request, node);
        return node;
    }

    static Scheduler scheduler(String profile) {
        SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        PluginContext context = PluginContext.of(Clock.fixed(Fleets.NOW, ZoneOffset.UTC), 7);
        Profiles profiles = FOUR_SCORERS.equals(profile)
                ? Profiles.of(plugins, new ProfileSpec(FOUR_SCORERS,
                        List.of(ProfileSpec.Plugin.of("healthy"), ProfileSpec.Plugin.of("serves-model")),
                        List.of(ProfileSpec.WeightedScorer.of(QueueDepthScorer.TYPE, 2),
                                ProfileSpec.WeightedScorer.of(KvCacheScorer.TYPE, 2),
                                ProfileSpec.WeightedScorer.of(PrefixAffinityScorer.TYPE, 3),
                                ProfileSpec.WeightedScorer.of(PredictedLatencyScorer.TYPE, 3)),
                        ProfileSpec.Plugin.of(MaxScorePicker.TYPE)), context, SchedulingMetrics.noop())
                : Profiles.build(plugins, null, profile, context, SchedulingMetrics.noop());
        // the gateway times each plugin with System.nanoTime; kept here so the cost is the gateway's
        return new Scheduler(profiles, Clock.fixed(Fleets.NOW, ZoneOffset.UTC), System::nanoTime);
    }

    /** Decisions, each followed by a completion with plausible timings, so the stateful plugins hold data. */
    static void warm(Scheduler scheduler, List<NodeSnapshot> fleet, InferenceRequest[] requests, int count) {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < count; i++) {
            InferenceRequest r = requests[i % requests.length];
            SchedulingRequest request = scheduler.describe(r, r.user());
            List<NodeSnapshot> candidates = scheduler.candidates(request, fleet, Set.of());
            NodeSnapshot node = scheduler.pick(candidates, request).orElseThrow();
            scheduler.dispatched(request, node);
            int prompt = request.estimatedPromptTokens();
            int output = 64 + random.nextInt(128);
            long ttft = 20_000_000L + prompt * 50_000L + random.nextLong(5_000_000L);
            scheduler.finished(request, node.name(), new Completion(Completion.Outcome.SUCCESS, prompt, output, ttft,
                    ttft + output * 12_000_000L));
        }
    }

    /** {@code count} chat requests over {@code groups} shared system prompts, about 2,000 characters each. */
    static InferenceRequest[] prompts(int count, int groups, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] systems = new String[groups];
        for (int g = 0; g < groups; g++) {
            systems[g] = words(random, 1_200);
        }
        InferenceRequest[] out = new InferenceRequest[count];
        for (int i = 0; i < count; i++) {
            List<ChatMessage> messages = List.of(new ChatMessage("system", systems[i % groups]),
                    new ChatMessage("user", words(random, 800)));
            out[i] = new InferenceRequest(Endpoint.CHAT, Fleets.MODEL, messages, null, true, true, 128, 1.0, 1.0,
                    null, List.of(), "session-" + i);
        }
        return out;
    }

    private static String words(SplittableRandom random, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            int len = 2 + random.nextInt(8);
            for (int i = 0; i < len; i++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            sb.append(' ');
        }
        return sb.toString();
    }
}
