package dev.flotilla.gateway.scheduling;

import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.GpuFigures;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import dev.flotilla.gateway.scheduling.spi.SchedulingRequest;
import dev.flotilla.protocol.Endpoint;
import dev.flotilla.protocol.InferenceRequest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** Hand-made node snapshots and requests for the plugin tests. */
final class Nodes {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final double NAN = Double.NaN;
    private static final AtomicLong IDS = new AtomicLong();

    /** How old a node's telemetry is. */
    enum Age { NONE, FRESH, STALE }

    private final String name;
    private int outstanding;
    private long inFlightTokens;
    private NodeFacts facts = NodeFacts.UNKNOWN;
    private Age age = Age.NONE;
    private EngineLoad load = EngineLoad.UNKNOWN;
    private final List<GpuFigures> gpus = new ArrayList<>();
    private Map<String, Integer> contexts = Map.of();

    private Nodes(String name) {
        this.name = name;
    }

    static Nodes node(String name) {
        return new Nodes(name);
    }

    Nodes outstanding(int value) {
        outstanding = value;
        return this;
    }

    Nodes inFlightTokens(long value) {
        inFlightTokens = value;
        return this;
    }

    Nodes facts(Integer memoryGb, Double tflops) {
        facts = new NodeFacts("gpu", memoryGb, tflops);
        return this;
    }

    /** Engine figures (running, waiting, kvCacheUsage) with telemetry of this age. */
    Nodes load(Age telemetryAge, double running, double waiting, double kvCacheUsage) {
        age = telemetryAge;
        load = new EngineLoad(running, waiting, kvCacheUsage, NAN, NAN, NAN);
        return this;
    }

    /** The context length its {@code /v1/models} states for model "m". */
    Nodes context(int tokens) {
        contexts = Map.of("m", tokens);
        return this;
    }

    Nodes age(Age telemetryAge) {
        age = telemetryAge;
        return this;
    }

    /** One GPU: utilisation 0..1, memory in GB, temperature. */
    Nodes gpu(double utilisation, double usedGb, double totalGb, double temperatureC) {
        gpus.add(new GpuFigures(String.valueOf(gpus.size()), "gpu", utilisation, usedGb * 1e9, totalGb * 1e9,
                temperatureC, NAN));
        return this;
    }

    NodeSnapshot build() {
        Instant scraped = switch (age) {
            case NONE -> null;
            case FRESH -> NOW.minusMillis(500);
            case STALE -> NOW.minusSeconds(30);
        };
        TelemetrySnapshot t = scraped == null ? TelemetrySnapshot.noData(Duration.ofSeconds(2))
                : new TelemetrySnapshot(null, load, NAN, NAN, gpus, HostFigures.UNKNOWN, scraped, null,
                Duration.ofSeconds(2));
        return new NodeSnapshot(name, URI.create("http://127.0.0.1:1"), true, Set.of("m"), facts, outstanding,
                NOW, null, t, NodeState.HEALTHY, inFlightTokens, contexts);
    }

    static SchedulingRequest request(String prompt) {
        return request(prompt, null, null);
    }

    static SchedulingRequest request(String prompt, String session, Integer maxTokens) {
        return new SchedulingRequest(IDS.incrementAndGet(), new InferenceRequest(Endpoint.COMPLETIONS, "m", null,
                prompt, false, false, maxTokens, 1.0, 1.0, null, List.of(), null), session, NOW);
    }

    static List<NodeSnapshot> all(Nodes... nodes) {
        List<NodeSnapshot> out = new ArrayList<>();
        for (Nodes n : nodes) {
            out.add(n.build());
        }
        return out;
    }
}
