package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.api.MountedApi;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.planner.api.PlannerApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The planner's Inferno-compatible API under the gateway's {@code /planner}, wired as {@code flotilla gateway} wires it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlannerMountIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Gateway gateway;

    @BeforeAll
    void start() {
        PlannerApi planner = PlannerApi.create();
        gateway = Gateway.start(GatewayConfig.defaults().withListen(GatewayConfig.Listen.loopback(0)), Clock.systemUTC(),
                List.of(new MountedApi("/planner", "planner API", planner::router)));
    }

    @AfterAll
    void stop() {
        gateway.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(60)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String systemData() throws Exception {
        String shared = System.getProperty("flotilla.shared");
        if (shared == null || shared.isBlank()) {
            fail("system property flotilla.shared is not set: run the tests through Maven (failsafe sets it)");
        }
        Path file = Path.of(shared, "testdata", "inferno", "inferno-v1-small-sampledata-849e1e8", "system-data.json");
        if (!Files.isRegularFile(file)) {
            fail(file + " is missing: this test needs Inferno's sample data (shared/testdata/inferno)");
        }
        return Files.readString(file);
    }

    @Test
    void optimizeOne_underPlanner_solutionAndStateThroughTheGateway() throws Exception {
        HttpResponse<String> r = post("/planner/optimizeOne", systemData());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode allocations = JSON.readTree(r.body()).get("allocations");
        assertThat(allocations).hasSize(15);
        assertThat(allocations.get("Free-llama_70b").get("accelerator").asText()).isEqualTo("4xA100");
        assertThat(allocations.get("Free-llama_70b").get("numReplicas").asInt()).isEqualTo(106);
        JsonNode servers = JSON.readTree(get("/planner/getServers").body()).get("servers");
        assertThat(servers).hasSize(15);
    }

    @Test
    void badInput_underPlanner_infernoStyle400NamingTheField() throws Exception {
        HttpResponse<String> r = post("/planner/addAccelerator", "{\"name\": \"A100\", \"type\": \"A100\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("message").asText())
                .isEqualTo("addAccelerator: accelerator \"A100\": cost: missing");
    }

    @Test
    void gatewayRoutes_stillServedBesideThePlanner() throws Exception {
        assertThat(get("/health").statusCode()).isEqualTo(200);
        HttpResponse<String> unknown = get("/nowhere");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("Unknown path: GET /nowhere");
    }
}
