package dev.flotilla.bench.sim;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.protocol.Endpoint;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A discrete-event simulation of a fleet of simulated-GPU nodes behind the gateway's routing: the
 * same {@code SimulatedEngine} the nodes run (continuous batching, prefix cache) on one virtual
 * clock, the gateway's {@code Scheduler} with the fleet's policy choosing a node per request from
 * snapshots that hold exact outstanding counts and telemetry sampled every scrape interval and
 * seen a scrape delay later. Reports what {@code flotilla bench} reports of a live run. The same
 * fleet, options, seed and requests always give the same report.
 *
 * <pre>{@code
 * SimReport report = FleetSimulator.builder(FleetSpec.load(Path.of("fleet.yaml")))
 *         .seed(42).slo(new Slo(500.0, 50.0, null)).build()
 *         .run(TraceRequests.of(TraceReader.read(Path.of("day.jsonl"))));
 * }</pre>
 */
public final class FleetSimulator {
    private final FleetSpec fleet;
    private final SchedulingPlugins plugins;
    private final Endpoint endpoint;
    private final long seed;
    private final Slo slo;
    private final PromptRenderer renderer;
    private final Consumer<SimResult> results;
    private final Map<String, Object> runInfo;

    private FleetSimulator(Builder b) {
        this.fleet = b.fleet;
        this.plugins = b.plugins;
        this.endpoint = b.endpoint;
        this.seed = b.seed;
        this.slo = b.slo;
        this.renderer = b.renderer;
        this.results = b.results;
        this.runInfo = new LinkedHashMap<>(b.runInfo);
        // fail at build time on an unknown policy, with the gateway's own message
        SimRouter.checkPolicy(plugins, fleet.policy());
    }

    public static Builder builder(FleetSpec fleet) {
        return new Builder(fleet);
    }

    /**
     * Simulates the requests, taken one at a time in arrival order (so an hour-long trace need not
     * be in memory), until every one has completed or been rejected. Each call starts from a fresh
     * fleet: idle engines, empty caches, no telemetry yet.
     *
     * @throws IllegalArgumentException if the requests do not come in arrival order
     */
    public SimReport run(Iterator<SimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        return new SimRun(fleet, plugins, endpoint, seed, slo, renderer, results).run(requests, runInfo);
    }

    /** {@link #run(Iterator)} over a list. */
    public SimReport run(List<SimRequest> requests) {
        return run(requests.iterator());
    }

    public FleetSpec fleet() {
        return fleet;
    }

    /** Options of a {@link FleetSimulator}; defaults as a live {@code flotilla bench} run would have them. */
    public static final class Builder {
        private final FleetSpec fleet;
        private SchedulingPlugins plugins = SchedulingPlugins.builtIn();
        private Endpoint endpoint = Endpoint.CHAT;
        private long seed;
        private Slo slo = Slo.NONE;
        private PromptRenderer renderer;
        private Consumer<SimResult> results = r -> { };
        private final Map<String, Object> runInfo = new LinkedHashMap<>();

        private Builder(FleetSpec fleet) {
            this.fleet = Objects.requireNonNull(fleet, "fleet");
        }

        /** The registry the routing policy comes from (default: the gateway's built-in plugins). */
        public Builder plugins(SchedulingPlugins value) {
            this.plugins = Objects.requireNonNull(value, "plugins");
            return this;
        }

        /**
         * Chat (default, as {@code flotilla bench}: the prompt is one user message under the
         * engine's chat template) or text completions (the prompt as it is).
         */
        public Builder endpoint(Endpoint value) {
            this.endpoint = Objects.requireNonNull(value, "endpoint");
            return this;
        }

        /** Seeds each request's sampling (which sets its output length); default 0. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Objectives for goodput (default: none). */
        public Builder slo(Slo value) {
            this.slo = Objects.requireNonNull(value, "slo");
            return this;
        }

        /** How synthetic prompts become text (default: {@link PromptRenderer.compact()}). */
        public Builder promptRenderer(PromptRenderer value) {
            this.renderer = Objects.requireNonNull(value, "renderer");
            return this;
        }

        /** Receives every request's result as it finishes, in virtual-time order (default: none). */
        public Builder results(Consumer<SimResult> value) {
            this.results = Objects.requireNonNull(value, "results");
            return this;
        }

        /** An entry for the report's run description, e.g. {@code ("trace", "day.jsonl")}. */
        public Builder describe(String key, Object value) {
            runInfo.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** @throws IllegalArgumentException naming the known policies when the fleet's is unknown */
        public FleetSimulator build() {
            if (renderer == null) {
                renderer = PromptRenderer.compact();
            }
            return new FleetSimulator(this);
        }
    }
}
