package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.protocol.PrometheusText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Chaos against {@code flotilla up} from the packaged jar with four simulated T4 nodes (issue 6):
 * a steady load of streamed and non-streamed requests while a node is killed with {@code kill -9}
 * every few seconds (the supervisor restarts it), a node frozen with SIGSTOP, and every node down.
 * Every request must succeed (or, with no node at all, get a quick 503 with Retry-After), and every
 * stream must be one continuous answer.
 *
 * <p>The short form runs in {@code ./mvnw verify}; {@code scripts/chaos.sh} runs the same scenario
 * longer ({@code -Dchaos.duration=5m}) and prints the figures recorded in docs/benchmarks.md. The
 * load is a few client threads, not a load test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {
    private static final String MODEL = NodeCommand.DEFAULT_SIM_MODEL;
    private static final int MAX_TOKENS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** No request, however disturbed, may take longer than this: nothing hangs. */
    private static final Duration REQUEST_BOUND = Duration.ofSeconds(20);

    private static final Duration LOAD = Duration.parse("PT" + System.getProperty("chaos.duration", "30s")
            .toUpperCase(Locale.ROOT));
    private static final Duration KILL_EVERY = Duration.ofSeconds(5);

    private static LocalFleetProcess fleet;
    /** The prompt of the streamed requests and its undisturbed answer, one token per chunk. */
    private static String prompt;
    private static List<String> reference;

    @BeforeAll
    static void up() throws Exception {
        // failover made quick for the test: a stream without a first token for 1 s, or a node silent
        // for 3 s, is retried elsewhere (the gateway child inherits up's environment)
        fleet = LocalFleetProcess.start(Map.of("FLOTILLA_DISPATCH_FIRST_TOKEN_TIMEOUT", "1s",
                        "FLOTILLA_DISPATCH_IDLE_TIMEOUT", "3s"),
                "--sim-nodes", "4", "--profiles", "T4", "--port", "0", "--max-restarts", "3",
                "--restart-window", "20s", "--shutdown-grace", "2s");
        assertThat(fleet.nodes).hasSize(4);
        for (String candidate : List.of("Tell me a long story", "Once upon a time", "Write about the sea",
                "Describe a day", "A story about a robot", "The river")) {
            Stream s = stream(fleet.gatewayUrl, candidate);
            assertThat(s.failure()).as("reference answer for %s", candidate).isNull();
            if (s.chunks().size() >= 25) {
                prompt = candidate;
                reference = s.chunks();
                break;
            }
        }
        assertThat(reference).as("a prompt whose simulated answer has at least 25 tokens").isNotNull();
        assertThat(stream(fleet.gatewayUrl, prompt).chunks()).as("temperature 0: the same text again").isEqualTo(reference);
    }

    @AfterAll
    static void down() {
        if (fleet != null && fleet.process.isAlive()) {
            fleet.close();
        }
    }

    @Test
    @Order(1)
    void killNineEveryFewSeconds_everyRequestSucceeds_everyStreamContinuous() throws Exception {
        double retriesBefore = gatewayMetricSum("flotilla_retries_total");
        double requestsBefore = gatewayMetricSum("flotilla_requests_total");
        Load load = Load.start(3);
        List<Long> backInRotationMillis = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> watchers = new ArrayList<>();
        long end = System.nanoTime() + LOAD.toNanos();
        long next = System.nanoTime() + KILL_EVERY.toNanos();
        int kills = 0;
        java.util.Deque<String> recent = new java.util.ArrayDeque<>();
        try {
            while (next < end) {
                long at = next;
                await().atMost(KILL_EVERY.plusSeconds(1)).pollInterval(Duration.ofMillis(100))
                        .until(() -> System.nanoTime() >= at);
                next += KILL_EVERY.toNanos(); // a fixed cadence, whether or not the last victim is back yet
                // the busiest node, so that the kill cuts streams in flight
                // (never one of the last two victims: a node is killed at most every 15 s, so it never
                // has more than --max-restarts 3 exits within --restart-window 20s and is never given up)
                String victim = busiestNode(kills, recent);
                if (victim == null) {
                    continue; // the candidates are still restarting
                }
                recent.addLast(victim);
                if (recent.size() > 2) {
                    recent.removeFirst();
                }
                long oldPid = child(victim).path("pid").asLong();
                long killedAt = System.nanoTime();
                ProcessHandle handle = ProcessHandle.of(oldPid).orElseThrow();
                handle.destroyForcibly(); // kill -9
                handle.onExit().get(10, TimeUnit.SECONDS);
                kills++;
                // time from the kill until the restarted process is in the gateway's rotation again
                watchers.add(Thread.ofVirtual().start(() -> {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                            .until(() -> {
                                JsonNode now = child(victim);
                                return "running".equals(now.path("state").asText())
                                        && now.path("pid").asLong() != oldPid && fleetNode(victim).path("up").asBoolean();
                            });
                    backInRotationMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
                }));
            }
            for (Thread w : watchers) {
                w.join(Duration.ofSeconds(70));
            }
        } finally {
            load.stopAndJoin();
        }
        assertThat(backInRotationMillis).as("every killed node back in rotation").hasSize(kills);

        List<Result> results = List.copyOf(load.results);
        verifyAll(results);
        double continuations = gatewayMetricSum("flotilla_stream_continuations_total");
        double retries = gatewayMetricSum("flotilla_retries_total") - retriesBefore;
        double upstreamRequests = gatewayMetricSum("flotilla_requests_total") - requestsBefore;
        long continuedStreams = results.stream().filter(Result::continued).count();
        assertThat(continuations).as("kills of the busiest node cut streams that were continued").isPositive();
        assertThat(continuedStreams).as("streams that differ from the reference were continued").isPositive();

        report("kill -9 every " + KILL_EVERY.toSeconds() + " s for " + LOAD.toSeconds() + " s (" + kills + " kills)",
                results, retries, upstreamRequests, continuations, backInRotationMillis);
        System.out.printf(Locale.ROOT, "  restarts by the supervisor: %.0f%n", PrometheusText.parse(
                        get(fleet.supervisorUrl + "/metrics").body()).stream()
                .filter(s -> s.name().equals("flotilla_supervisor_restarts_total"))
                .mapToDouble(PrometheusText.Sample::value).sum());
    }

    @Test
    @Order(2)
    void sigstoppedNode_requestsKeepSucceeding_outOfRotationUntilSigcont() throws Exception {
        String frozen = "sim-t4-3";
        long pid = child(frozen).path("pid").asLong();
        String nodeUrl = child(frozen).path("url").asText();
        Load load = Load.start(3);
        signal("STOP", pid);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !fleetNode(frozen).path("up").asBoolean());
            int before = load.results.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> load.results.size() >= before + 6);
        } finally {
            signal("CONT", pid);
        }
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> fleetNode(frozen).path("up").asBoolean());
        double served = servedBy(nodeUrl);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> servedBy(nodeUrl) > served);
        load.stopAndJoin();

        List<Result> results = List.copyOf(load.results);
        verifyAll(results);
        report("SIGSTOP of one node, then SIGCONT", results, 0, 0, 0, List.of());
    }

    @Test
    @Order(3)
    void everyNodeDown_quick503WithRetryAfter_serviceResumesWhenNodesReturn() throws Exception {
        // every node frozen (SIGSTOP): down for the gateway, yet not restarted by the supervisor, so
        // the outage lasts as long as the test wants (a kill -9 would be healed within seconds)
        List<String> names = List.copyOf(fleet.nodes.keySet());
        List<Long> pids = new ArrayList<>();
        for (String name : names) {
            pids.add(child(name).path("pid").asLong());
        }
        long gatewayPid = child("gateway").path("pid").asLong();
        try {
            for (long pid : pids) {
                signal("STOP", pid);
            }
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (String n : names) {
                    if (fleetNode(n).path("up").asBoolean()) {
                        return false;
                    }
                }
                return true;
            });
            for (boolean streamed : List.of(false, true, false, true)) {
                long start = System.nanoTime();
                HttpResponse<String> r = http.send(completionRequest(fleet.gatewayUrl, prompt, streamed),
                        HttpResponse.BodyHandlers.ofString());
                long millis = millisSince(start);
                assertThat(r.statusCode()).as("no node up (stream %s): %s", streamed, r.body()).isEqualTo(503);
                assertThat(r.headers().firstValue("retry-after")).as("Retry-After").isPresent();
                assertThat(millis).as("the 503 comes at once, not after a hang").isLessThan(2000);
            }
        } finally {
            for (long pid : pids) {
                signal("CONT", pid);
            }
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .untilAsserted(() -> assertThat(stream(fleet.gatewayUrl, prompt).chunks()).isEqualTo(reference));
        assertThat(child("gateway").path("pid").asLong()).as("the same gateway process").isEqualTo(gatewayPid);
    }

    // ------------------------------------------------------------------ verification

    /**
     * Every non-streamed request got 200 with text; every stream got 200, one id, a last
     * {@code [DONE]}, and text that is either the reference, or the reference up to a token
     * followed by exactly what a node generates when asked to continue from there. The simulated
     * engine seeds its text with the prompt, so a continued stream's tail is not the reference's
     * tail; it is checked against a direct request to a node with the continuation's prompt.
     */
    private static void verifyAll(Collection<Result> results) throws Exception {
        assertThat(results).as("requests sent").isNotEmpty();
        List<Result> failed = results.stream().filter(r -> r.failure() != null).toList();
        assertThat(failed).as("failed requests").isEmpty();
        String nodeUrl = aliveNodeUrl();
        for (Result r : results) {
            assertThat(r.millis()).as("%s within the bound", r.kind()).isLessThan(REQUEST_BOUND.toMillis());
            if (r.kind() == Kind.STREAM && r.continued()) {
                assertThat(continuesAt(nodeUrl, r.chunks())).as("continued stream %s is continuous", r.chunks())
                        .isPositive();
            }
        }
    }

    /** The token index where a continued stream's text was cut and continued, or -1 if it is not continuous. */
    private static int continuesAt(String nodeUrl, List<String> chunks) throws Exception {
        int diverge = 0;
        while (diverge < chunks.size() && diverge < reference.size() && chunks.get(diverge).equals(reference.get(diverge))) {
            diverge++;
        }
        // the continuation may start with the reference's next token by chance: try cuts down from there
        for (int cut = diverge; cut >= 1; cut--) {
            String sent = String.join("", chunks.subList(0, cut));
            String rest = String.join("", chunks.subList(cut, chunks.size()));
            String body = "{\"model\":\"" + MODEL + "\",\"temperature\":0,\"seed\":7,\"max_tokens\":" + (MAX_TOKENS - cut)
                    + ",\"prompt\":" + JSON.writeValueAsString(prompt + sent) + "}";
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(nodeUrl + "/v1/completions"))
                    .header("content-type", "application/json").timeout(REQUEST_BOUND)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && JSON.readTree(r.body()).path("choices").path(0).path("text").asText().equals(rest)) {
                return cut;
            }
        }
        return -1;
    }

    private static String aliveNodeUrl() throws Exception {
        for (String name : fleet.nodes.keySet()) {
            if (fleetNode(name).path("up").asBoolean()) {
                return child(name).path("url").asText();
            }
        }
        throw new AssertionError("no node up to check continuations against");
    }

    // ------------------------------------------------------------------ figures

    private static void report(String scenario, List<Result> results, double retries, double upstreamRequests,
                               double continuations, List<Long> backInRotationMillis) {
        List<Result> streams = results.stream().filter(r -> r.kind() == Kind.STREAM).toList();
        List<Long> undisturbed = streams.stream().filter(r -> !r.continued()).map(Result::millis).toList();
        List<Long> continued = streams.stream().filter(Result::continued).map(Result::millis).toList();
        List<Long> gapsUndisturbed = streams.stream().filter(r -> !r.continued()).map(Result::maxGapMillis).toList();
        List<Long> gapsContinued = streams.stream().filter(Result::continued).map(Result::maxGapMillis).toList();
        List<Long> plain = results.stream().filter(r -> r.kind() != Kind.STREAM).map(Result::millis).toList();
        long failed = results.stream().filter(r -> r.failure() != null).count();
        StringBuilder s = new StringBuilder("\nCHAOS ").append(scenario).append('\n');
        s.append(String.format(Locale.ROOT, "  requests %d (streams %d, non-streamed %d), succeeded %d, failed %d%n",
                results.size(), streams.size(), plain.size(), results.size() - failed, failed));
        s.append(String.format(Locale.ROOT, "  streams continued: %d seen by clients, flotilla_stream_continuations_total %.0f%n",
                continued.size(), continuations));
        if (upstreamRequests > 0) {
            s.append(String.format(Locale.ROOT, "  retries %.0f over %.0f gateway requests: amplification %.3f%n",
                    retries, upstreamRequests, retries / upstreamRequests));
        }
        s.append("  stream duration ms, undisturbed ").append(percentiles(undisturbed))
                .append(", continued ").append(percentiles(continued)).append('\n');
        s.append("  longest gap between tokens ms, undisturbed ").append(percentiles(gapsUndisturbed))
                .append(", continued ").append(percentiles(gapsContinued)).append('\n');
        s.append("  non-streamed duration ms ").append(percentiles(plain)).append('\n');
        if (!backInRotationMillis.isEmpty()) {
            s.append("  kill -9 to back in rotation ms ").append(percentiles(backInRotationMillis)).append('\n');
        }
        System.out.print(s);
    }

    private static String percentiles(List<Long> values) {
        if (values.isEmpty()) {
            return "(none)";
        }
        List<Long> sorted = values.stream().sorted().toList();
        return String.format(Locale.ROOT, "n=%d p50=%d p99=%d max=%d", sorted.size(), at(sorted, 0.50), at(sorted, 0.99),
                sorted.get(sorted.size() - 1));
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    // ------------------------------------------------------------------ load

    enum Kind { STREAM, COMPLETION, CHAT }

    /**
     * One client request: its text in chunks (streams) or whole, how long it took, the longest
     * pause between two tokens, and what went wrong, if anything.
     */
    record Result(Kind kind, List<String> chunks, long millis, long maxGapMillis, String failure) {
        boolean continued() {
            return kind == Kind.STREAM && failure == null && !chunks.equals(reference);
        }
    }

    /** A stream's tokens, or why it is not a valid stream. */
    record Stream(List<String> chunks, long maxGapMillis, String failure) {
    }

    /** Client threads sending requests one after another until stopped; thread 0 streams, the others alternate. */
    static final class Load {
        final ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        static Load start(int clients) {
            Load load = new Load();
            for (int i = 0; i < clients; i++) {
                int client = i;
                load.threads.add(Thread.ofPlatform().daemon().name("chaos-client-" + i).start(() -> load.run(client)));
            }
            return load;
        }

        private void run(int client) {
            int n = 0;
            while (running.get()) {
                Kind kind = client < 2 ? Kind.STREAM : (n++ % 2 == 0 ? Kind.COMPLETION : Kind.CHAT);
                long start = System.nanoTime();
                Result r;
                try {
                    r = switch (kind) {
                        case STREAM -> {
                            Stream s = stream(fleet.gatewayUrl, prompt);
                            yield new Result(kind, s.chunks(), millisSince(start), s.maxGapMillis(), s.failure());
                        }
                        case COMPLETION, CHAT -> plain(kind, start);
                    };
                } catch (Exception e) {
                    r = new Result(kind, List.of(), millisSince(start), 0, e.toString());
                }
                results.add(r);
            }
        }

        void stopAndJoin() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(REQUEST_BOUND.toMillis() + 5000);
            }
        }
    }

    private static Result plain(Kind kind, long start) throws Exception {
        HttpRequest request = kind == Kind.COMPLETION ? completionRequest(fleet.gatewayUrl, prompt, false)
                : HttpRequest.newBuilder(URI.create(fleet.gatewayUrl + "/v1/chat/completions"))
                        .header("content-type", "application/json").timeout(REQUEST_BOUND)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"temperature\":0,"
                                + "\"seed\":7,\"max_tokens\":" + MAX_TOKENS + ",\"messages\":[{\"role\":\"user\","
                                + "\"content\":" + JSON.writeValueAsString(prompt) + "}]}")).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        long millis = millisSince(start);
        if (r.statusCode() != 200) {
            return new Result(kind, List.of(), millis, 0, "status " + r.statusCode() + ": " + r.body());
        }
        JsonNode choice = JSON.readTree(r.body()).path("choices").path(0);
        String text = kind == Kind.COMPLETION ? choice.path("text").asText() : choice.path("message").path("content").asText();
        if (text.isEmpty()) {
            return new Result(kind, List.of(), millis, 0, "empty text: " + r.body());
        }
        if (kind == Kind.COMPLETION && !text.equals(String.join("", reference))) {
            return new Result(kind, List.of(text), millis, 0, "text differs from the reference: " + text);
        }
        return new Result(kind, List.of(text), millis, 0, null);
    }

    /** A streamed completion of the prompt: its tokens, or what makes it invalid (status, ids, no [DONE]). */
    static Stream stream(String gatewayUrl, String prompt) {
        List<String> chunks = new ArrayList<>();
        long maxGap = 0;
        try {
            HttpResponse<java.io.InputStream> r = http.send(completionRequest(gatewayUrl, prompt, true),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                return new Stream(chunks, 0, "status " + r.statusCode() + ": "
                        + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
            }
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            String last = null;
            long lastToken = System.nanoTime();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    last = line;
                    if (line.equals("data: [DONE]")) {
                        continue;
                    }
                    JsonNode event = JSON.readTree(line.substring(6));
                    if (event.has("error")) {
                        return new Stream(chunks, maxGap, "error event: " + line);
                    }
                    ids.add(event.path("id").asText());
                    String text = event.path("choices").path(0).path("text").asText("");
                    if (!text.isEmpty()) {
                        long now = System.nanoTime();
                        if (!chunks.isEmpty()) {
                            maxGap = Math.max(maxGap, TimeUnit.NANOSECONDS.toMillis(now - lastToken));
                        }
                        lastToken = now;
                        chunks.add(text);
                    }
                }
            }
            if (!"data: [DONE]".equals(last)) {
                return new Stream(chunks, maxGap, "no [DONE] at the end (last: " + last + ")");
            }
            if (ids.size() != 1) {
                return new Stream(chunks, maxGap, "ids " + ids + " (expected one)");
            }
            if (chunks.isEmpty()) {
                return new Stream(chunks, maxGap, "no text");
            }
            return new Stream(chunks, maxGap, null);
        } catch (IOException e) {
            return new Stream(chunks, maxGap, "cut: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Stream(chunks, maxGap, "interrupted");
        }
    }

    private static HttpRequest completionRequest(String gatewayUrl, String prompt, boolean stream) throws IOException {
        return HttpRequest.newBuilder(URI.create(gatewayUrl + "/v1/completions"))
                .header("content-type", "application/json").timeout(REQUEST_BOUND)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"stream\":" + stream
                        + ",\"temperature\":0,\"seed\":7,\"max_tokens\":" + MAX_TOKENS + ",\"prompt\":"
                        + JSON.writeValueAsString(prompt) + "}"))
                .build();
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    // ------------------------------------------------------------------ fleet

    /** The running node, other than the excluded ones, with the most requests in flight (by its own metrics), ties broken in turn; null if none is running. */
    private static String busiestNode(int turn, Collection<String> excluded) throws Exception {
        List<String> names = List.copyOf(fleet.nodes.keySet());
        Map<String, Double> running = new java.util.HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get((turn + i) % names.size());
            JsonNode c = child(name);
            if (excluded.contains(name) || !"running".equals(c.path("state").asText())) {
                continue;
            }
            try {
                running.put(name, PrometheusText.parse(get(c.path("url").asText() + "/metrics").body()).stream()
                        .filter(s -> s.name().equals("vllm:num_requests_running")).mapToDouble(PrometheusText.Sample::value).sum());
            } catch (IOException e) {
                running.put(name, -1.0);
            }
        }
        return running.entrySet().stream().max(Comparator.comparingDouble(Map.Entry::getValue))
                .map(Map.Entry::getKey).orElse(null);
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s %d", signal, pid).isZero();
    }

    private static JsonNode child(String name) throws Exception {
        for (JsonNode c : JSON.readTree(get(fleet.supervisorUrl + "/status").body()).path("children")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no child " + name + " in the supervisor's status");
    }

    private static JsonNode fleetNode(String name) throws Exception {
        for (JsonNode n : JSON.readTree(get(fleet.gatewayUrl + "/admin/fleet").body()).path("nodes")) {
            if (name.equals(n.path("name").asText())) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in the gateway's fleet");
    }

    private static double gatewayMetricSum(String metric) throws Exception {
        return PrometheusText.parse(get(fleet.gatewayUrl + "/metrics").body()).stream()
                .filter(s -> s.name().equals(metric)).mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static double servedBy(String nodeUrl) throws Exception {
        return PrometheusText.parse(get(nodeUrl + "/metrics").body()).stream()
                .filter(s -> s.name().equals("vllm:request_success_total"))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
