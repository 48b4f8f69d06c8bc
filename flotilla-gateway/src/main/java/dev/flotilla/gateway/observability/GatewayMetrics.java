package dev.flotilla.gateway.observability;

import dev.flotilla.gateway.fleet.MembershipEvent;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import dev.flotilla.gateway.fleet.NodeState;
import dev.flotilla.gateway.fleet.NodeTransition;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The gateway's Prometheus metrics in its own registry instance (not the static default, so
 * several gateways in one JVM, as in tests, do not mix): requests by model, node and outcome,
 * request duration by model, per node whether it is up, its state and state changes, its outstanding requests, and the
 * duration and failures of telemetry scrapes per node.
 */
public final class GatewayMetrics {
    /** Label value when no node was chosen, or the model is not one any node serves (bounded cardinality). */
    public static final String NONE = "none";

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram duration;
    private final Histogram scrapeDuration;
    private final Counter scrapeFailures;
    private final Counter transitions;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    public GatewayMetrics(NodeRegistry nodes) {
        requests = Counter.builder()
                .name("flotilla_requests_total")
                .help("Inference requests through the gateway by model, node and outcome")
                .labelNames("model", "node", "outcome")
                .register(registry);
        duration = Histogram.builder()
                .name("flotilla_request_duration_seconds")
                .help("Time from receiving a request to the end of its answer")
                .labelNames("model")
                .classicOnly()
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
                .register(registry);
        scrapeDuration = Histogram.builder()
                .name("flotilla_scrape_duration_seconds")
                .help("Time to fetch and read one node's /metrics, failed scrapes included")
                .labelNames("node")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
                .register(registry);
        scrapeFailures = Counter.builder()
                .name("flotilla_scrape_failures_total")
                .help("Scrapes of a node's /metrics that failed (no answer in time, non-200, unreadable)")
                .labelNames("node")
                .register(registry);
        for (NodeSnapshot s : nodes.snapshots()) {
            // present from the start, so a rate over them works before the first failure
            scrapeFailures.labelValues(s.name());
        }
        GaugeWithCallback.builder()
                .name("flotilla_node_up")
                .help("1 when the node passed its last health check")
                .labelNames("node")
                .callback(cb -> {
                    for (NodeSnapshot s : nodes.snapshots()) {
                        cb.call(s.up() ? 1 : 0, s.name());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("flotilla_node_state")
                .help("1 for the node's current state (starting, healthy, degraded, unhealthy, draining), 0 for the others")
                .labelNames("node", "state")
                .callback(cb -> {
                    for (NodeSnapshot s : nodes.snapshots()) {
                        for (NodeState state : NodeState.values()) {
                            cb.call(s.state() == state ? 1 : 0, s.name(), state.label());
                        }
                    }
                })
                .register(registry);
        transitions = Counter.builder()
                .name("flotilla_node_state_transitions_total")
                .help("Changes of a node's state, by the state it left and the one it entered")
                .labelNames("node", "from", "to")
                .register(registry);
        nodes.addTransitionListener(this::recordTransition);
        nodes.addMembershipListener(this::membershipChanged);
        GaugeWithCallback.builder()
                .name("flotilla_node_outstanding_requests")
                .help("Requests sent to the node through this gateway and not finished")
                .labelNames("node")
                .callback(cb -> {
                    for (NodeSnapshot s : nodes.snapshots()) {
                        cb.call(s.outstanding(), s.name());
                    }
                })
                .register(registry);
    }

    /** Records one finished request; {@code model} and {@code node} must be bounded label values. */
    public void record(String model, String node, Outcome outcome, double seconds) {
        requests.labelValues(model, node, outcome.label()).inc();
        duration.labelValues(model).observe(seconds);
    }

    /** Records one scrape of a node's {@code /metrics}; {@code node} is a configured node name. */
    public void recordScrape(String node, double seconds, boolean ok) {
        scrapeDuration.labelValues(node).observe(seconds);
        if (!ok) {
            scrapeFailures.labelValues(node).inc();
        }
    }

    /** Counts one change of a node's state. */
    public void recordTransition(NodeTransition t) {
        transitions.labelValues(t.node(), t.from().label(), t.to().label()).inc();
    }

    /**
     * Keeps the per-node series in step with the fleet: a node that joins gets its scrape failure
     * counter at 0 (as configured nodes do at start); a node that has left loses every series
     * labelled with its name (the gauges read the fleet at each scrape, so they follow by themselves).
     */
    public void membershipChanged(MembershipEvent event) {
        if (event instanceof MembershipEvent.Added added) {
            scrapeFailures.labelValues(added.node());
        } else if (event instanceof MembershipEvent.Removed removed) {
            String node = removed.node();
            requests.removeIf(labels -> node.equals(labels.get(1)));
            scrapeDuration.remove(node);
            scrapeFailures.remove(node);
            transitions.removeIf(labels -> node.equals(labels.get(0)));
        }
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
