package dev.flotilla.jmh;

import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.gateway.fleet.NodeRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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
 * What every streamed request costs the gateway when its first token arrives: {@code
 * NodeRegistry.latencySample}, which records the node's time to first token and judges the node
 * against its peers (passive latency-outlier detection, docs/failover.md). Fleets of 16, 128 and
 * 1,024 nodes, every node up with a full window of samples for the model, samples landing on the
 * nodes in turn, as a gateway spreading its traffic would see them.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class LatencySampleBenchmark {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);

    @Param({"16", "128", "1024"})
    public int nodes;

    private NodeRegistry registry;
    private String[] names;
    private Duration[] samples;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        List<GatewayConfig.Node> configured = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            configured.add(new GatewayConfig.Node("node-" + i, "http://10.0.0." + (i % 250) + ":" + (8000 + i)));
        }
        registry = new NodeRegistry(configured, CLOCK);
        names = configured.stream().map(GatewayConfig.Node::name).toArray(String[]::new);
        SplittableRandom random = new SplittableRandom(1);
        samples = new Duration[4096];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = Duration.ofNanos(random.nextLong(20_000_000, 80_000_000));
        }
        for (String name : names) {
            registry.markUp(name, Set.of(Fleets.MODEL));
        }
        // full windows everywhere: every node is judged and counts as a peer
        for (int i = 0; i < 60 * nodes; i++) {
            sample();
        }
    }

    @Benchmark
    public void sample() {
        int i = next++;
        registry.latencySample(names[i % names.length], Fleets.MODEL, samples[i & (samples.length - 1)]);
    }
}
