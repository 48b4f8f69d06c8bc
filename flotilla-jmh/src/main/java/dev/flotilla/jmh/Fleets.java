package dev.flotilla.jmh;

import dev.flotilla.gateway.fleet.NodeFacts;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.telemetry.EngineKind;
import dev.flotilla.gateway.fleet.telemetry.EngineLoad;
import dev.flotilla.gateway.fleet.telemetry.GpuFigures;
import dev.flotilla.gateway.fleet.telemetry.HostFigures;
import dev.flotilla.gateway.fleet.telemetry.TelemetrySnapshot;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Node snapshots of a made-up mixed fleet for the benchmarks: three accelerator kinds in turn, every
 * node serving the model, fresh telemetry with varied load (running, waiting, KV-cache use, GPU
 * utilisation, memory and temperature) so that no scorer can take a shortcut on equal figures.
 */
final class Fleets {
    static final String MODEL = "bench-model";
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private static final String[] ACCELERATORS = {"H100", "A100-80G", "L4"};
    private static final int[] MEMORY_GB = {80, 80, 24};
    private static final double[] TFLOPS = {989, 312, 121};

    private Fleets() {
    }

    static List<NodeSnapshot> mixed(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<NodeSnapshot> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int kind = i % ACCELERATORS.length;
            double running = random.nextInt(0, 64);
            double waiting = random.nextInt(0, 8);
            EngineLoad load = new EngineLoad(running, waiting, random.nextDouble(), 1e6, 1e6, random.nextDouble(0, 5000));
            double total = MEMORY_GB[kind] * 1e9;
            GpuFigures gpu = new GpuFigures("0", ACCELERATORS[kind], random.nextDouble(), total * random.nextDouble(0.3, 0.95),
                    total, random.nextDouble(40, 85), random.nextDouble(100, 600));
            TelemetrySnapshot telemetry = new TelemetrySnapshot(EngineKind.VLLM, load, random.nextDouble(0, 5000),
                    random.nextDouble(0, 20000), List.of(gpu), HostFigures.UNKNOWN, NOW.minusMillis(200), null,
                    Duration.ofSeconds(2));
            out.add(new NodeSnapshot("node-" + i, URI.create("http://10.0.0." + (i % 250) + ":" + (8000 + i)), true,
                    Set.of(MODEL), new NodeFacts(ACCELERATORS[kind], MEMORY_GB[kind], TFLOPS[kind]),
                    random.nextInt(0, 16), NOW.minusSeconds(60), null, telemetry, NodeState.HEALTHY,
                    random.nextLong(0, 200_000)));
        }
        return List.copyOf(out);
    }
}
