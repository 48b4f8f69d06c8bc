package dev.flotilla.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.ConfigWatcher;
import dev.flotilla.gateway.config.GatewayConfig;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes joining and leaving a running gateway over real HTTP: through the admin API (a new node is
 * checked at once and takes traffic; a removed node finishes its stream, gets nothing new and then
 * leaves) and through edits of the YAML file the gateway was loaded from.
 */
class MembershipIT {
    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String CHAT_STREAM =
            "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void tearDown() throws Exception {
        // first, so that the gateway's graceful shutdown has no idle keep-alive connection to wait for
        // (and close() would wait for a stream a failed test left open)
        http.shutdownNow();
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        StubNode.await(vertx.close());
    }

    private StubNode stub(String name) {
        return new StubNode(vertx, name, List.of("m")).start();
    }

    private Gateway start(GatewayConfig config) {
        // requests are placed by least-requests' tie rotation (the default profile prefers the node
        // that has seen a prompt)
        Gateway g = Gateway.start(config.withRouting(new GatewayConfig.Routing("least-requests")), Clock.systemUTC());
        toClose.add(g);
        return g;
    }

    private HttpResponse<String> send(Gateway g, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(g.url().resolve(path)).timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private String servedBy(Gateway g) throws Exception {
        HttpResponse<String> r = send(g, "POST", "/v1/chat/completions", CHAT);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body()).getString("id");
    }

    private List<String> fleet(Gateway g) throws Exception {
        JsonArray nodes = new JsonObject(send(g, "GET", "/admin/fleet", null).body()).getJsonArray("nodes");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.add(nodes.getJsonObject(i).getString("name"));
        }
        return out;
    }

    private String state(Gateway g, String node) throws Exception {
        HttpResponse<String> r = send(g, "GET", "/admin/fleet/" + node, null);
        return r.statusCode() == 404 ? "absent" : new JsonObject(r.body()).getString("state");
    }

    private static JsonObject error(HttpResponse<String> r) {
        return new JsonObject(r.body()).getJsonObject("error");
    }

    @Test
    void adminApi_addedNodeCheckedAtOnceTakesTraffic_removedNodeFinishesItsStreamThenLeaves() throws Exception {
        StubNode a = stub("a");
        StubNode b = stub("b");
        // an interval far longer than the test: only the check a new node gets at once can bring it in
        Gateway g = start(GatewayConfig.of(List.of(new GatewayConfig.Node("a", a.url())))
                .withListen(GatewayConfig.Listen.loopback(0))
                .withHealth(new GatewayConfig.Health(Duration.ofMinutes(5), Duration.ofSeconds(2))));
        assertThat(state(g, "a")).isEqualTo("healthy");

        HttpResponse<String> added = send(g, "POST", "/admin/nodes",
                "{\"name\":\"b\",\"url\":\"" + b.url() + "\",\"accelerator\":\"L4\",\"memoryGb\":24}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(added.headers().firstValue("location")).hasValue("/admin/fleet/b");
        assertThat(new JsonObject(added.body()).getString("url")).isEqualTo(b.url());
        await().atMost(WAIT).until(() -> state(g, "b").equals("healthy"));
        assertThat(fleet(g)).containsExactly("a", "b");
        assertThat(g.registry().snapshot("b").facts().accelerator()).isEqualTo("L4");
        List<String> servers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            servers.add(servedBy(g));
        }
        assertThat(servers).as("idle ties rotate").contains("a", "b");

        // the same name, another node's URL, a bad entry: refused with the field named
        HttpResponse<String> sameName = send(g, "POST", "/admin/nodes", "{\"name\":\"b\",\"url\":\"http://127.0.0.1:1\"}");
        assertThat(sameName.statusCode()).isEqualTo(409);
        assertThat(error(sameName).getString("code")).isEqualTo("node_exists");
        assertThat(error(sameName).getString("param")).isEqualTo("name");
        HttpResponse<String> sameUrl = send(g, "POST", "/admin/nodes", "{\"name\":\"c\",\"url\":\"" + a.url() + "/\"}");
        assertThat(sameUrl.statusCode()).isEqualTo(409);
        assertThat(error(sameUrl).getString("code")).isEqualTo("url_in_use");
        assertThat(error(sameUrl).getString("message")).contains("node 'a' has it");
        HttpResponse<String> bad = send(g, "POST", "/admin/nodes", "{\"name\":\"C!\",\"url\":\"nope\",\"gpus\":2}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(error(bad).getString("param")).as("the first problem's field").isEqualTo("gpus");
        assertThat(error(bad).getString("code")).isEqualTo("invalid_node");
        assertThat(error(bad).getString("message")).contains("name: \"C!\"", "url: \"nope\"", "gpus: 2 (unknown key");
        HttpResponse<String> huge = send(g, "POST", "/admin/nodes",
                "{\"name\":\"c\",\"url\":\"http://127.0.0.1:1\",\"accelerator\":\"" + "x".repeat(20_000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(error(huge).getString("message")).isEqualTo("A node entry is at most 16384 bytes");
        assertThat(fleet(g)).containsExactly("a", "b");

        // a slow stream on b (a drained meanwhile so that it lands there)
        assertThat(send(g, "POST", "/admin/nodes/a/drain", null).statusCode()).isEqualTo(200);
        Promise<Void> release = b.holdStreams();
        CompletableFuture<HttpResponse<String>> stream = http.sendAsync(HttpRequest.newBuilder(
                        g.url().resolve("/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(CHAT_STREAM)).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(b.firstChunkSent::get);
        assertThat(send(g, "POST", "/admin/nodes/a/undrain", null).statusCode()).isEqualTo(200);

        HttpResponse<String> removing = send(g, "DELETE", "/admin/nodes/b", null);
        assertThat(removing.statusCode()).as(removing.body()).isEqualTo(202);
        JsonObject pending = new JsonObject(removing.body());
        assertThat(pending.getString("removal")).isEqualTo("pending");
        assertThat(pending.getInteger("in_flight")).isEqualTo(1);
        assertThat(pending.getString("state")).isEqualTo("draining");
        assertThat(pending.getBoolean("removing")).isTrue();

        int bBefore = b.inferenceRequests.get();
        for (int i = 0; i < 5; i++) {
            assertThat(servedBy(g)).isEqualTo("a");
        }
        assertThat(b.inferenceRequests.get()).isEqualTo(bBefore);
        assertThat(fleet(g)).as("still there while its stream runs").containsExactly("a", "b");
        assertThat(send(g, "DELETE", "/admin/nodes/b", null).statusCode()).as("again: still pending").isEqualTo(202);
        assertThat(send(g, "POST", "/admin/nodes/b/undrain", null).statusCode()).isEqualTo(409);
        HttpResponse<String> readd = send(g, "POST", "/admin/nodes", "{\"name\":\"b\",\"url\":\"" + b.url() + "\"}");
        assertThat(readd.statusCode()).isEqualTo(409);
        assertThat(error(readd).getString("message")).contains("is being removed with 1 request(s) in flight");

        release.complete();
        HttpResponse<String> finished = stream.get();
        assertThat(finished.statusCode()).isEqualTo(200);
        assertThat(finished.body()).contains("\"content\":\"two\"").contains("data: [DONE]");
        assertThat(b.closedMidStream.get()).isFalse();
        await().atMost(WAIT).until(() -> fleet(g).equals(List.of("a")));
        assertThat(state(g, "b")).isEqualTo("absent");
        assertThat(send(g, "DELETE", "/admin/nodes/b", null).statusCode()).isEqualTo(404);
        assertThat(send(g, "GET", "/health", null).body()).isEqualTo("{\"status\":\"ok\",\"nodes_up\":1,\"nodes_total\":1}");
        assertThat(g.scrapeMetrics()).doesNotContain("node=\"b\"").contains("node=\"a\"");
        assertThat(g.history("b")).isNull();

        // nothing in flight: gone at once
        send(g, "POST", "/admin/nodes", "{\"name\":\"b\",\"url\":\"" + b.url() + "\"}");
        HttpResponse<String> gone = send(g, "DELETE", "/admin/nodes/b", null);
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(200);
        assertThat(new JsonObject(gone.body()).getString("removal")).isEqualTo("done");
        assertThat(fleet(g)).containsExactly("a");
    }

    /** Writes the file as editors do: a temporary file renamed over the old one. */
    private void save(Path file, String yaml) throws Exception {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, yaml);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String yaml(StubNode... nodes) {
        StringBuilder sb = new StringBuilder("""
                listen: { port: 0 }
                health: { interval: 200ms, timeout: 1s }
                nodes:
                """);
        for (StubNode n : nodes) {
            sb.append("  - { name: ").append(n.name).append(", url: \"").append(n.url()).append("\" }\n");
        }
        return sb.toString();
    }

    @Test
    void yamlFile_editsAppliedWhileRunning_apiNodesKept_invalidVersionIgnored() throws Exception {
        StubNode a = stub("a");
        StubNode b = stub("b");
        StubNode c = stub("c");
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml(a));
        Gateway g = start(Gateway.configLoader().load(file, Map.of()));
        ConfigWatcher watcher = g.watchConfig(file, Map.of());
        assertThat(send(g, "POST", "/admin/nodes", "{\"name\":\"c\",\"url\":\"" + c.url() + "\"}").statusCode())
                .isEqualTo(201);

        save(file, yaml(a, b));
        await().atMost(WAIT).until(() -> state(g, "b").equals("healthy"));
        assertThat(fleet(g)).containsExactly("a", "c", "b");
        await().atMost(WAIT).until(() -> {
            servedBy(g);
            return b.inferenceRequests.get() > 0;
        });

        save(file, yaml(b));
        await().atMost(WAIT).until(() -> fleet(g).equals(List.of("c", "b")));
        assertThat(state(g, "c")).as("added through the API, not the file's to remove").isEqualTo("healthy");

        long reads = watcher.reads();
        save(file, "nodes:\n  - { name: b, url: \"" + b.url() + "\" }\n  - { name: b, url: nope }\n");
        await().atMost(WAIT).until(() -> watcher.reads() > reads);
        assertThat(watcher.last()).isInstanceOfSatisfying(ConfigWatcher.Outcome.Invalid.class,
                invalid -> assertThat(invalid.problems()).containsExactly(
                        "nodes[1].name: \"b\" (expected a unique name; nodes[0] has it too)",
                        "nodes[1].url: \"nope\" (expected an http(s) URL with host and port and no path, e.g. http://127.0.0.1:9001)"));
        assertThat(fleet(g)).containsExactly("c", "b");
        assertThat(servedBy(g)).isIn("b", "c");

        save(file, yaml(b, a));
        await().atMost(WAIT).until(() -> fleet(g).equals(List.of("c", "b", "a")) && state(g, "a").equals("healthy"));
    }
}
