package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code flotilla} command as a user runs it: start-up errors, and {@code up} without a model. */
class CommandLineIT {

    private record Result(int exitCode, String output) {
    }

    private static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", LocalFleetProcess.jar().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the command ends by itself").isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void node_missingModelFile_failsNamingThePath(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.gguf");
        Result r = run("node", "--model", missing.toString(), "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains(missing.toString(), "no such file").doesNotContain("\tat ");
    }

    @Test
    void node_notAGgufFile_failsSayingWhatItIs(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("story.gguf"), "Once upon a time, this was not a model file.");
        Result r = run("node", "--model", text.toString(), "--port", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains(text.toString(), "not a GGUF file");
    }

    @Test
    void node_noEngineChosen_saysHowToChoose() throws Exception {
        Result r = run("node");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--model FILE", "--profile NAME", "H100", "T4");
    }

    @Test
    void node_unknownFault_isRefusedNamingTheValueAndTheModes() throws Exception {
        Result r = run("node", "--profile", "zero", "--port", "0", "--fault", "slow");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--fault: 'slow'", "http-500, malformed-sse, close-mid-header");
    }

    @Test
    void node_replicasWithModel_isRefused(@TempDir Path dir) throws Exception {
        Result r = run("node", "--model", dir.resolve("m.gguf").toString(), "--replicas", "2");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--replicas 2", "only simulated nodes");
    }

    @Test
    void node_replicas_eachServesOnItsOwnPortUnderItsOwnName() throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", LocalFleetProcess.jar().toString(), "node", "--profile", "zero", "--replicas", "3",
                "--port", "0", "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            java.util.concurrent.BlockingQueue<String> ready = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith(ChildProcesses.READY)) {
                            ready.add(line.substring(ChildProcesses.READY.length()));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            List<String> urls = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String line = ready.poll(60, TimeUnit.SECONDS);
                assertThat(line).as("ready line " + i + " within 60 s").isNotNull();
                String[] parts = line.split(" "); // node NAME URL
                names.add(parts[1]);
                urls.add(parts[2]);
            }
            assertThat(names).containsExactly("sim-zero-0", "sim-zero-1", "sim-zero-2");
            assertThat(urls).doesNotHaveDuplicates();
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(urls.get(i) + "/node/info"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(info.body()).contains("\"name\":\"" + names.get(i) + "\"");
            }
            reader.interrupt();
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the node process stops on SIGTERM").isTrue();
        }
    }

    @Test
    void gateway_invalidConfig_listsEveryProblem(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                listen: { port: 70000 }
                nodes:
                  - name: a
                    url: ftp://127.0.0.1:9000
                  - name: a
                    url: http://127.0.0.1:9001
                """);
        Result r = run("gateway", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("listen.port: 70000", "nodes[0].url", "ftp://127.0.0.1:9000", "nodes[1].name");
    }

    @Test
    void up_badSupervisionOptions_listsEveryProblem() throws Exception {
        Result r = run("up", "--port", "0", "--max-restarts", "-1", "--supervisor-port", "70000",
                "--shutdown-grace", "2h");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--max-restarts: -1 (expected 0 to 1000; 0 never restarts)",
                "--supervisor-port: 70000 (expected 0..65535)", "--shutdown-grace: 7200000ms (expected 0s to 1h)");
    }

    @Test
    void up_unknownPolicyAndProfile_namesTheOptionsAndTheKnownNames() throws Exception {
        Result r = run("up", "--port", "0", "--policy", "fastest", "--profiles", "H100,B300");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--policy", "\"fastest\"", "flotilla", "sglang-cache-aware",
                "--profiles: accelerator: 'B300' is not a known profile (known: ");
    }

    @Test
    void up_restartWindowNotADuration_saysTheExpectedForm() throws Exception {
        Result r = run("up", "--restart-window", "soon");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--restart-window", "'soon' (expected a duration like 500ms, 30s, 2m or 1h)");
    }

    @Test
    void up_badConfig_namesTheFileAndEveryProblem_startsNothing(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("gateway.yaml"), """
                nodes:
                  - name: sim-l4-2
                    url: http://127.0.0.2:8000
                """);
        Result r = run("up", "--port", "0", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--config " + config + ": nodes: name sim-l4-2 is taken by a local node")
                .doesNotContain("Gateway (OpenAI API)");
        Files.writeString(config, "dispatch:\n  hedge:\n    enabled: true\n    delay: soon\n");
        r = run("up", "--port", "0", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.output()).contains("--config " + config, "dispatch.hedge.delay: \"soon\"");
    }

    @Test
    void up_withConfig_theGatewayRunsOnItsSections_andRoutesToItsNodesToo(@TempDir Path dir) throws Exception {
        // a node outside the local fleet, as the file would list a remote machine
        Path extra = Files.writeString(dir.resolve("gateway.yaml"), "");
        try (LocalFleetProcess remote = LocalFleetProcess.start("--port", "0", "--sim-nodes", "1",
                "--profiles", "A100-80G")) {
            Files.writeString(extra, """
                    dispatch:
                      hedge:
                        enabled: true
                        delay: 75ms
                    nodes:
                      - name: remote-a100
                        url: %s
                    """.formatted(remote.nodes.get("sim-a100-80g-1").url()));
            try (LocalFleetProcess fleet = LocalFleetProcess.start("--port", "0", "--sim-nodes", "1",
                    "--config", extra.toString())) {
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> explain = http.send(HttpRequest.newBuilder(URI.create(fleet.gatewayUrl
                                + "/admin/explain")).timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + NodeCommand.DEFAULT_SIM_MODEL
                                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(explain.statusCode()).as(explain.body()).isEqualTo(200);
                assertThat(explain.body()).contains("\"hedge\":{\"enabled\":true,\"delay\":\"75ms\"");
                HttpResponse<String> nodes = http.send(HttpRequest.newBuilder(URI.create(fleet.gatewayUrl
                        + "/admin/fleet")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(nodes.body()).contains("\"remote-a100\"", "\"sim-h100-1\"");
            }
        }
    }

    @Test
    void up_withoutModel_servesSimulatedNodesAndSaysHowToAddAModel() throws Exception {
        try (LocalFleetProcess fleet = LocalFleetProcess.start("--port", "0")) {
            assertThat(fleet.log()).contains("./flotilla up --model path/to/model.gguf");
            assertThat(fleet.nodes.keySet()).containsExactly("sim-h100-1", "sim-l4-2");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(fleet.gatewayUrl + "/v1/models"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.body()).contains("\"id\":\"" + NodeCommand.DEFAULT_SIM_MODEL + "\"");
            HttpResponse<String> info = http.send(HttpRequest.newBuilder(URI.create(
                    fleet.nodes.get("sim-l4-2").url() + "/node/info")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(info.body()).contains("\"accelerator\":\"L4\"", "\"engine\":\"simulated\"");
        }
    }
}
