package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PlanCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Flotilla.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    private static Path sample(String name) {
        String shared = System.getProperty("flotilla.shared");
        if (shared == null || shared.isBlank()) {
            fail("system property flotilla.shared is not set: run the tests through Maven (surefire sets it)");
        }
        Path dir = Path.of(shared, "testdata", "inferno", name);
        if (!Files.isDirectory(dir)) {
            fail(dir + " is missing: the plan command tests need Inferno's sample data (shared/testdata/inferno)");
        }
        return dir;
    }

    @Test
    void plan_infernoSample_printsTableAndWritesInfernoSolution() throws IOException {
        Path dir = sample("inferno-v1-small-sampledata-849e1e8");
        Path solution = tmp.resolve("plan.json");

        int code = run("plan", dir.toString(), "--out", solution.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("server", "accelerator", "ITL slack", "TTFT slack")
                .containsPattern("Free-llama_70b +Free +4xA100 +106 +2 +16960 +19\\.12 +3970\\.43 +\\+300\\.88 +\\+29\\.57")
                .contains("total cost 43819  (solver greedy, limited capacity, saturation policy RoundRobin; "
                        + "15 servers, 0 best effort, 0 without allocation)")
                .contains("wrote " + solution);
        JsonNode ours = JSON.readTree(solution.toFile()).get("allocations");
        JsonNode published = JSON.readTree(dir.resolve("solution-data.json").toFile()).get("allocations");
        assertThat(ours.size()).isEqualTo(published.size());
        Iterator<Map.Entry<String, JsonNode>> it = published.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = ours.get(e.getKey());
            for (String field : new String[] {"accelerator", "numReplicas", "maxBatch", "cost", "load"}) {
                assertThat(o.get(field)).as(e.getKey() + "." + field).isEqualTo(e.getValue().get(field));
            }
            assertThat(o.get("itlAverage").asDouble()).isCloseTo(e.getValue().get("itlAverage").asDouble(),
                    org.assertj.core.api.Assertions.within(e.getValue().get("itlAverage").asDouble() * 1e-3));
        }
    }

    @Test
    void plan_unlimitedOverride_cheaperTotal() {
        int code = run("plan", sample("inferno-v1-small-sampledata-849e1e8").toString(), "--unlimited");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("total cost 35924.50  (solver unlimited, unlimited capacity;");
    }

    @Test
    void plan_badInput_messageNamingEntryNoStackTrace() throws IOException {
        Path yaml = tmp.resolve("plan.yaml");
        Files.writeString(yaml, """
                accelerators: [{name: A100, type: A100, cost: 40}]
                models:
                  - {name: m, accelerator: H100, max-batch-size: 8, at-tokens: 512, perf: {alpha: 1, beta: 0, gamma: 0}}
                service-classes: [{name: Gold, model-targets: [{model: m, slo-itl: 50}]}]
                servers:
                  - {name: s, class: Gold, model: m, current-alloc: {load: {arrival-rate: -3, avg-in-tokens: 1, avg-out-tokens: 1}}}
                """);

        int code = run("plan", yaml.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("flotilla plan: 2 problems in the planner input:\n"
                + "  plan.yaml: models[0] \"m on H100\": accelerator: \"H100\" (expected: the name of an accelerator, "
                + "one of [A100])\n"
                + "  plan.yaml: servers[0] \"s\": current-alloc.load.arrival-rate: -3 (expected: a finite number >= 0)"
                + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void plan_noCapacityLimited_warnsAndExitsOne() throws IOException {
        Path yaml = tmp.resolve("plan.yaml");
        Files.writeString(yaml, """
                accelerators: [{name: A100, type: A100, cost: 40}]
                models:
                  - {name: m, accelerator: A100, max-batch-size: 8, at-tokens: 512, perf: {alpha: 10, beta: 0.01, gamma: 0.001}}
                service-classes: [{name: Gold, model-targets: [{model: m, slo-itl: 50}]}]
                servers:
                  - {name: s, class: Gold, model: m, current-alloc: {load: {arrival-rate: 60, avg-in-tokens: 100, avg-out-tokens: 100}}}
                """);

        int limited = run("plan", yaml.toString());

        assertThat(limited).isEqualTo(1);
        assertThat(err.toString()).contains("no capacity given and optimizer.unlimited is false");
        assertThat(out.toString()).contains("no allocation: not enough capacity: its cheapest allocation needs 1 A100 "
                + "cards (1 x A100), 0 left");
        assertThat(run("plan", yaml.toString(), "--unlimited")).isZero();
    }

    @Test
    void plan_missingPath_saysSo() {
        int code = run("plan", tmp.resolve("nope.json").toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("flotilla plan: " + tmp.resolve("nope.json") + ": no such file");
    }
}
