package dev.flotilla.bench.sim;

import dev.flotilla.engine.EngineState;
import dev.flotilla.engine.PrefixCacheStats;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimScheduler;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.telemetry.CounterRate;
import dev.flotilla.gateway.fleet.telemetry.EngineKind;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One simulated node: its engine, the counters its {@code /metrics} would show, and what the
 * gateway knows of it (outstanding requests, last published telemetry). Touched only from the
 * simulation's single thread.
 */
final class SimNode {
    final int index;
    final String name;
    final AcceleratorProfile profile;
    final SimulatedEngine engine;
    final NodeFacts facts;

    /** Requests the gateway sent and has not seen finish. */
    int outstanding;
    long served;
    long refused;
    // the node's vllm:prompt_tokens / vllm:generation_tokens counters, counted when a request finishes
    long promptTokensTotal;
    long generationTokensTotal;
    TelemetrySnapshot telemetry;

    SimNode(int index, String name, AcceleratorProfile profile, String model, SimScheduler scheduler,
            boolean prefixCaching, Duration staleAfter) {
        this.index = index;
        this.name = name;
        this.profile = profile;
        this.engine = SimulatedEngine.create(model, profile, scheduler, prefixCaching);
        this.facts = new NodeFacts(profile.name(), (int) Math.round(profile.memoryGb()), profile.tflopsBf16());
        this.telemetry = TelemetrySnapshot.noData(staleAfter);
    }

    /** What a scrape reads at this instant. */
    Sample sample() {
        return new Sample(engine.state(), promptTokensTotal, generationTokensTotal);
    }

    /** Publishes a sample as the gateway's scraper does: rates from the counters since the last one. */
    void publish(Sample s, Instant now) {
        EngineState state = s.state();
        EngineLoad load = new EngineLoad(state.running(), state.waiting(), state.kvCacheUsage(), s.promptTokensTotal(),
                s.generationTokensTotal(), state.tokensPerSecond());
        double generationRate = Double.NaN;
        double promptRate = Double.NaN;
        if (telemetry.scrapedAt() != null) {
            long before = telemetry.scrapedAt().toEpochMilli();
            long after = now.toEpochMilli();
            generationRate = CounterRate.perSecond(telemetry.load().generationTokensTotal(), before,
                    s.generationTokensTotal(), after);
            promptRate = CounterRate.perSecond(telemetry.load().promptTokensTotal(), before, s.promptTokensTotal(),
                    after);
        }
        telemetry = new TelemetrySnapshot(EngineKind.FLOTILLA, load, generationRate, promptRate, List.of(),
                HostFigures.UNKNOWN, now, null, telemetry.staleAfter());
    }

    PrefixCacheStats prefixCache() {
        return engine.prefixCache().orElse(new PrefixCacheStats(0, 0));
    }

    /** One scrape's reading of a node, taken at the sampling instant. */
    record Sample(EngineState state, long promptTokensTotal, long generationTokensTotal) {
    }
}
