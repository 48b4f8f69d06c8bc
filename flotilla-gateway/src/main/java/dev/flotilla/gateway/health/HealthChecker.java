package dev.flotilla.gateway.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.gateway.fleet.MembershipEvent;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.fleet.NodeSnapshot;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Active health checking: every interval, each node's {@code /health} is read and, when it
 * answers 200, its {@code /v1/models}; the registry is updated with the result. A node that does
 * not answer within the timeout, answers non-200 or lists no readable models has failed the check;
 * the registry's state machine decides when failures take it out and successes bring it back. A node whose previous check is still running is not checked again.
 * A node that joins the fleet while running is checked at once, not an interval later; a result
 * that comes back after its node has left (or moved to another URL) is dropped.
 */
public final class HealthChecker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final HttpClient client;
    private final NodeRegistry registry;
    private final Duration interval;
    private final Duration timeout;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private volatile long timerId = -1;
    private volatile Context context;

    public HealthChecker(Vertx vertx, HttpClient client, NodeRegistry registry, Duration interval, Duration timeout) {
        this.vertx = vertx;
        this.client = client;
        this.registry = registry;
        this.interval = interval;
        this.timeout = timeout;
    }

    /**
     * Runs one round now and then one every interval; the future completes after the first round.
     * Call on the Vert.x context the checks are to run on.
     */
    public Future<Void> start() {
        context = vertx.getOrCreateContext();
        registry.addMembershipListener(event -> {
            Context ctx = context;
            if (event instanceof MembershipEvent.Added added && ctx != null) {
                // a new node is out of rotation until it passes: check it now rather than an interval later
                ctx.runOnContext(v -> {
                    if (context != null) {
                        check(added.snapshot());
                    }
                });
            }
        });
        timerId = vertx.setPeriodic(interval.toMillis(), id -> checkAll());
        return checkAll();
    }

    public void stop() {
        context = null;
        long id = timerId;
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    /** Checks every node once; completes (never fails) when all checks have finished. */
    public Future<Void> checkAll() {
        List<Future<Void>> checks = new ArrayList<>();
        for (NodeSnapshot node : registry.snapshots()) {
            checks.add(check(node));
        }
        return Future.join(checks).<Void>mapEmpty().otherwiseEmpty();
    }

    private Future<Void> check(NodeSnapshot node) {
        // keyed by URL too: a node replaced under the same name is checked even while the old one's check runs
        String key = node.name() + " " + node.baseUrl();
        if (!running.add(key)) {
            return Future.succeededFuture();
        }
        return get(node, "/health")
                .compose(health -> get(node, "/v1/models"))
                .map(HealthChecker::modelList)
                .andThen(result -> {
                    running.remove(key);
                    NodeSnapshot current = registry.snapshot(node.name());
                    if (current == null || !current.baseUrl().equals(node.baseUrl())) {
                        return; // the node left (or is another server now) while it was being checked
                    }
                    if (result.succeeded()) {
                        registry.markUp(node.name(), result.result().ids(), result.result().contextLengths());
                    } else {
                        registry.checkFailed(node.name(), "health check: " + describe(result.cause()));
                    }
                })
                .<Void>mapEmpty()
                .otherwiseEmpty();
    }

    private Future<Buffer> get(NodeSnapshot node, String path) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setAbsoluteURI(node.baseUrl().resolve(path).toString())
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis());
        return client.request(options)
                .compose(req -> req.send())
                .compose(resp -> expectOk(resp, path));
    }

    private static Future<Buffer> expectOk(HttpClientResponse resp, String path) {
        if (resp.statusCode() != 200) {
            // drain so the keep-alive connection can be reused
            return resp.body().transform(ignored -> Future.failedFuture(
                    new IOException(path + " answered " + resp.statusCode())));
        }
        return resp.body();
    }

    /**
     * What a node's {@code /v1/models} says: the model ids, and per id the context length its entry
     * states in {@code max_model_len} (vLLM's field; our nodes send it too). An entry without a
     * positive integer there has an unknown context: the model is still served.
     */
    record ModelList(Set<String> ids, Map<String, Integer> contextLengths) {
    }

    /** The ids and context lengths of an OpenAI model list; fails when the body is not one. */
    static ModelList modelList(Buffer body) {
        JsonNode root;
        try {
            root = JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new IllegalStateException("/v1/models is not JSON: " + e.getMessage());
        }
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalStateException("/v1/models has no 'data' array");
        }
        Set<String> ids = new LinkedHashSet<>();
        Map<String, Integer> contexts = new HashMap<>();
        for (JsonNode m : data) {
            JsonNode id = m.get("id");
            if (id != null && id.isTextual()) {
                ids.add(id.asText());
                JsonNode len = m.get("max_model_len");
                if (len != null && len.canConvertToInt() && len.isIntegralNumber() && len.intValue() > 0) {
                    contexts.put(id.asText(), len.intValue());
                }
            }
        }
        return new ModelList(ids, contexts);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
