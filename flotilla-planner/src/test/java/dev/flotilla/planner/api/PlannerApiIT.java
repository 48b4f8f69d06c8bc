package dev.flotilla.planner.api;

import static dev.flotilla.planner.testdata.InfernoTestData.V1_LARGE;
import static dev.flotilla.planner.testdata.InfernoTestData.V1_SMALL;
import static dev.flotilla.planner.testdata.InfernoTestData.V2_LARGE;
import static dev.flotilla.planner.testdata.InfernoTestData.V2_SMALL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.planner.testdata.InfernoTestData;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Inferno-compatible REST API over real HTTP ({@code flotilla planner serve}'s server on a free
 * loopback port): {@code /optimizeOne} reproduces every published sample solution, the stateful
 * routes hold a system that {@code /optimize} solves, and bad input gets 400 naming the entry and
 * the field.
 */
class PlannerApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private PlannerServer server;

    private record Reply(int status, JsonNode body) {
    }

    @BeforeEach
    void start() {
        server = PlannerServer.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Reply get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(server.url().resolve(path)).GET());
    }

    private Reply post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(server.url().resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return new Reply(r.statusCode(), JSON.readTree(r.body()));
    }

    private static String path(String... parts) {
        List<String> encoded = new ArrayList<>();
        for (String p : parts) {
            encoded.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return "/" + String.join("/", encoded);
    }

    static Stream<Arguments> samples() {
        return Stream.of(V1_SMALL, V1_LARGE, V2_SMALL, V2_LARGE)
                .map(s -> Arguments.of(Named.of(s.replaceFirst("-sampledata.*", ""), s)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void optimizeOne_sampleSystemData_publishedSolution(String sample) throws Exception {
        Reply r = post("/optimizeOne", InfernoTestData.systemDocument(sample));

        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        InfernoTestData.assertMatchesPublished(sample, r.body());
        // as in Inferno, the posted system is then the stored one
        Reply servers = get("/getServers");
        assertThat(servers.body().get("servers")).hasSize(r.body().get("allocations").size());
        JsonNode first = servers.body().get("servers").get(0);
        assertThat(first.get("desiredAlloc").get("accelerator").asText())
                .isEqualTo(r.body().get("allocations").get(first.get("name").asText()).get("accelerator").asText());
    }

    @Test
    void optimizeOne_formContentTypeAsCurlDashDSends_readAsJson() throws Exception {
        Reply r = send(HttpRequest.newBuilder(server.url().resolve("/optimizeOne"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(InfernoTestData.systemDocument(V1_SMALL))));

        assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
        InfernoTestData.assertMatchesPublished(V1_SMALL, r.body());
    }

    @Test
    void optimizeOne_solverParameter_overridesTheSettings() throws Exception {
        Reply greedy = post("/optimizeOne", InfernoTestData.systemDocument(V2_SMALL));
        Reply milp = post("/optimizeOne?solver=milp", InfernoTestData.systemDocument(V2_SMALL));

        assertThat(total(milp.body())).isLessThan(total(greedy.body()));
        assertThat(total(greedy.body())).isEqualTo(39743);
    }

    private static double total(JsonNode solution) {
        double sum = 0;
        for (JsonNode a : solution.get("allocations")) {
            sum += a.get("cost").asDouble();
        }
        return sum;
    }

    /** Sets each part from the v2 small case's files, optimizes, reads back, removes a server, optimizes again. */
    @Test
    void statefulFlow_setEachPartOptimizeGetRemoveOptimizeApply() throws Exception {
        String s = V2_SMALL;
        assertThat(post("/setAccelerators", InfernoTestData.text(s, "accelerator-data.json")).status()).isEqualTo(200);
        assertThat(post("/setCapacities", InfernoTestData.text(s, "capacity-data.json")).status()).isEqualTo(200);
        assertThat(post("/setModels", InfernoTestData.text(s, "model-data.json")).status()).isEqualTo(200);
        assertThat(post("/setServiceClasses", InfernoTestData.text(s, "serviceclass-data.json")).status()).isEqualTo(200);
        Reply set = post("/setServers", InfernoTestData.text(s, "server-data.json"));
        assertThat(set.status()).as(set.body().toString()).isEqualTo(200);
        assertThat(set.body().get("servers")).hasSize(15);
        String optimizerSpec = InfernoTestData.json(s, "optimizer-data.json").get("optimizer").toString();

        Reply first = post("/optimize", optimizerSpec);

        assertThat(first.status()).as(first.body().toString()).isEqualTo(200);
        InfernoTestData.assertMatchesPublished(s, first.body());
        Reply one = get(path("getServer", "Premium-llama_13b"));
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body().get("desiredAlloc")).isEqualTo(first.body().get("allocations").get("Premium-llama_13b"));
        assertThat(one.body().get("currentAlloc").get("accelerator").asText()).isEmpty();
        assertThat(get("/getAccelerators").body()).hasSize(6);
        assertThat(get("/getCapacities").body().get("count")).hasSize(4);
        assertThat(get("/getModels").body()).extracting(JsonNode::asText).contains("llama_13b", "granite_13b");
        assertThat(get("/getServiceClasses").body().get("serviceClasses")).hasSize(3);

        Reply removed = get(path("removeServer", "Premium-llama_13b"));
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.body().get("name").asText()).isEqualTo("Premium-llama_13b");
        assertThat(get(path("getServer", "Premium-llama_13b")).status()).isEqualTo(404);
        Reply second = post("/optimize", optimizerSpec);

        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().get("allocations").has("Premium-llama_13b")).isFalse();
        assertThat(second.body().get("allocations")).hasSize(14);

        assertThat(get("/applyAllocation").body().asText()).isEqualTo("Done");
        JsonNode applied = get(path("getServer", "Bronze-llama_70b")).body();
        JsonNode desired = second.body().get("allocations").get("Bronze-llama_70b");
        assertThat(applied.get("currentAlloc").get("accelerator")).isEqualTo(desired.get("accelerator"));
        assertThat(applied.get("currentAlloc").get("numReplicas")).isEqualTo(desired.get("numReplicas"));
        // staying where it runs costs nothing: the same system optimizes to the allocation just applied
        Reply third = post("/optimize", optimizerSpec);
        assertThat(third.body().get("allocations")).isEqualTo(second.body().get("allocations"));
    }

    @Test
    void stateful_eachPart_addGetRemove() throws Exception {
        assertThat(post("/addAccelerator", "{\"name\": \"A100\", \"type\": \"A100\", \"cost\": 40}").status()).isEqualTo(200);
        assertThat(get("/getAccelerator/A100").body().get("cost").asDouble()).isEqualTo(40);
        assertThat(post("/setCapacity", "{\"type\": \"A100\", \"count\": 8}").body().get("count").asInt()).isEqualTo(8);
        assertThat(get("/getCapacity/A100").body().get("count").asInt()).isEqualTo(8);
        assertThat(get("/addModel/m").body().asText()).isEqualTo("m");
        assertThat(post("/addModelAcceleratorPerf", "{\"name\": \"m\", \"acc\": \"A100\", \"maxBatchSize\": 16, "
                + "\"atTokens\": 512, \"perfParms\": {\"alpha\": 20, \"beta\": 0.08, \"gamma\": 0.0025}}").status())
                .isEqualTo(200);
        assertThat(get("/getModelAcceleratorPerf/m/A100").body().get("perfParms").get("alpha").asDouble()).isEqualTo(20);
        assertThat(get("/getModel/m").body().get("models")).hasSize(1);
        assertThat(get("/addServiceClass/Gold/2").body().get("priority").asInt()).isEqualTo(2);
        Reply targets = post("/addServiceClassModelTargets", "{\"name\": \"Gold\", \"priority\": 2, \"modelTargets\": "
                + "[{\"model\": \"m\", \"slo-itl\": 60, \"slo-ttft\": 1000}]}");
        assertThat(targets.status()).as(targets.body().toString()).isEqualTo(200);
        assertThat(get("/getServiceClassModelTarget/Gold/m").body().get("slo-itl").asDouble()).isEqualTo(60);
        assertThat(post("/addServer", "{\"name\": \"s\", \"class\": \"Gold\", \"model\": \"m\", \"currentAlloc\": "
                + "{\"load\": {\"arrivalRate\": 30, \"avgInTokens\": 128, \"avgOutTokens\": 256}}}").status()).isEqualTo(200);
        assertThat(post("/setOptimizer", "{\"optimizer\": {\"milpSolver\": true}}").body().get("optimizer")
                .get("milpSolver").asBoolean()).isTrue();

        Reply plan = post("/optimize", "");

        assertThat(plan.status()).as(plan.body().toString()).isEqualTo(200);
        assertThat(plan.body().get("allocations").get("s").get("accelerator").asText()).isEqualTo("A100");

        assertThat(get("/removeServiceClassModelTarget/Gold/m").body().get("model").asText()).isEqualTo("m");
        assertThat(get("/getServiceClassModelTarget/Gold/m").status()).isEqualTo(404);
        assertThat(get("/removeModelAcceleratorPerf/m/A100").status()).isEqualTo(200);
        assertThat(get("/getModel/m").body().get("models")).isEmpty();
        assertThat(get("/removeModel/m").status()).isEqualTo(200);
        assertThat(get("/removeServiceClass/Gold").status()).isEqualTo(200);
        assertThat(get("/removeCapacity/A100").body().get("count").asInt()).isEqualTo(8);
        assertThat(get("/removeAccelerator/A100").status()).isEqualTo(200);
        Reply gone = get("/getAccelerator/A100");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().get("message").asText()).isEqualTo("accelerator \"A100\" not found (known: none)");
        // the server is left naming a class that is gone: optimizing says so
        Reply broken = post("/optimize", "");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.body().get("message").asText()).contains(
                "stored system: servers[0] \"s\": class: \"Gold\" (expected: the name of a service class");
    }

    private static final String GOOD_SYSTEM = """
            {"system": {
              "acceleratorData": {"accelerators": [{"name": "A100", "type": "A100", "cost": 40}]},
              "capacityData": {"count": [{"type": "A100", "count": 16}]},
              "modelData": {"models": [{"name": "m", "acc": "%s", "maxBatchSize": 16, "atTokens": 512,
                                        "perfParms": {"alpha": 20, "beta": 0.08, "gamma": 0.0025}}]},
              "serviceClassData": {"serviceClasses": [{"name": "Gold", "priority": 1,
                                   "modelTargets": [{"model": "%s", "slo-itl": 60}]}]},
              "serverData": {"servers": [{"name": "s", "class": "Gold", "model": "m",
                             "currentAlloc": {"load": {"arrivalRate": %s, "avgInTokens": 128, "avgOutTokens": 256}}}]}
            }}""";

    static Stream<Arguments> badInput() {
        return Stream.of(
                Arguments.of(Named.of("unknown accelerator in a model entry", "/optimizeOne"),
                        GOOD_SYSTEM.formatted("H100", "m", "30"),
                        "optimizeOne: models[0] \"m on H100\": acc: \"H100\" (expected: the name of an accelerator, one of [A100])"),
                Arguments.of(Named.of("negative arrival rate", "/optimizeOne"), GOOD_SYSTEM.formatted("A100", "m", "-5"),
                        "optimizeOne: servers[0] \"s\": currentAlloc.load.arrivalRate: -5 (expected: a finite number >= 0)"),
                Arguments.of(Named.of("class naming an unknown model", "/optimizeOne"),
                        GOOD_SYSTEM.formatted("A100", "nope", "30"),
                        "optimizeOne: serviceClasses[0] \"Gold\": modelTargets[0].model: \"nope\" (expected: a model with "
                                + "performance data, one of [m])"),
                Arguments.of(Named.of("missing field", "/addAccelerator"), "{\"name\": \"A100\", \"type\": \"A100\"}",
                        "addAccelerator: accelerator \"A100\": cost: missing"),
                Arguments.of(Named.of("negative rate in a server", "/addServer"),
                        "{\"name\": \"s\", \"model\": \"m\", \"currentAlloc\": {\"load\": {\"arrivalRate\": -1, "
                                + "\"avgInTokens\": 1, \"avgOutTokens\": 1}}}",
                        "addServer: server \"s\": currentAlloc.load.arrivalRate: -1 (expected: a finite number >= 0)"),
                Arguments.of(Named.of("missing load", "/setServers"), "{\"servers\": [{\"name\": \"s\", \"model\": \"m\"}]}",
                        "setServers: servers[0] \"s\": currentAlloc: missing"),
                Arguments.of(Named.of("wrong type", "/setModels"), "{\"models\": [{\"name\": \"m\", \"acc\": \"A100\", "
                        + "\"maxBatchSize\": \"many\", \"atTokens\": 512, \"perfParms\": {\"alpha\": 1, \"beta\": 1, \"gamma\": 1}}]}",
                        "setModels: models[0] \"m on A100\": maxBatchSize: \"many\" (expected: a whole number)"),
                Arguments.of(Named.of("bad saturation policy", "/setOptimizer"), "{\"saturationPolicy\": \"Sometimes\"}",
                        "setOptimizer: saturationPolicy: \"Sometimes\" (expected one of: None, PriorityExhaustive, "
                                + "PriorityRoundRobin, RoundRobin)"),
                Arguments.of(Named.of("not JSON", "/setCapacities"), "{count: 3",
                        "setCapacities: not valid JSON at line 1, column 2"),
                Arguments.of(Named.of("empty body", "/optimizeOne"), "",
                        "optimizeOne: empty body (expected: Inferno's SystemData document"),
                Arguments.of(Named.of("unknown solver", "/optimizeOne?solver=cplex"),
                        GOOD_SYSTEM.formatted("A100", "m", "30"),
                        "solver: \"cplex\" (expected one of: greedy, milp, milp-same-service, milp-hetero, unlimited)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void post_badInput_400NamingEntryAndField(String route, String body, String expected) throws Exception {
        Reply r = post(route, body);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.body().get("message").asText()).contains(expected);
        assertThat(r.body().get("problems")).isNotEmpty();
        assertThat(r.body().toString()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void get_unknownNamesAndPaths_404WithMessage() throws Exception {
        assertThat(get("/getServer/nope").body().get("message").asText()).isEqualTo("server \"nope\" not found (known: none)");
        Reply unknown = get("/getEverything");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().get("message").asText()).startsWith("unknown path: GET /getEverything");
        assertThat(post("/addModelAcceleratorPerf", "{\"name\": \"m\", \"acc\": \"A100\", \"maxBatchSize\": 16, "
                + "\"atTokens\": 512, \"perfParms\": {\"alpha\": 1, \"beta\": 1, \"gamma\": 1}}").status()).isEqualTo(404);
        Reply priority = get("/addServiceClass/Gold/high");
        assertThat(priority.status()).isEqualTo(400);
        assertThat(priority.body().get("message").asText()).contains("priority: \"high\"");
    }

    @Test
    void start_portTaken_saysSo() {
        try (PlannerServer other = PlannerServer.start("127.0.0.1", 0)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PlannerServer.start("127.0.0.1", other.port()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot listen on 127.0.0.1:" + other.port()
                            + ": address already in use (choose another --port, or 0 for any free port)");
        }
    }

    @Test
    void url_isTheLoopbackAddressAndPort() {
        assertThat(server.url()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
    }
}
