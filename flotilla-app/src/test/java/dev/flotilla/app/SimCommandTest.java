package dev.flotilla.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flotilla sim} in-process: the table, the files, and errors that name what was wrong. */
class SimCommandTest {
    private static final String FLEET = """
            model: sim-llama-2-7b
            nodes:
              - profile: A100-80G
                count: 2
              - profile: L4
            """;

    private static CommandRun run(String... args) {
        return CommandRun.of(args);
    }

    @Test
    void sim_syntheticWorkload_printsTheTableAndWritesResultAndRequests(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);
        Path out = dir.resolve("out");

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=20,duration=10s,prompt-median=200",
                "--out", out.toString(), "--seed", "3", "--slo-ttft-ms", "200");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("flotilla sim", "2x A100-80G, 1x L4", "TTFT", "E2E latency", "goodput",
                "sim-a100-80g-1", "sim-l4-3", "simulated ");
        JsonNode json = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        long completed = json.get("completed").asLong();
        assertThat(completed).isBetween(150L, 250L);
        assertThat(json.get("synthetic").asText()).isEqualTo("rate=20,duration=10s,prompt-median=200");
        assertThat(json.get("mode").asText()).isEqualTo("sim");
        assertThat(json.get("seed").asLong()).isEqualTo(3);
        assertThat(json.get("goodput_ratio").asDouble()).isBetween(0.0, 1.0);
        assertThat(Files.readAllLines(out.resolve("requests.jsonl"))).hasSize((int) completed);
        JsonNode sim = new ObjectMapper().readTree(out.resolve("sim.json").toFile());
        assertThat(sim.get("nodes")).hasSize(3);
        assertThat(out.resolve("report.md")).exists();
    }

    @Test
    void sim_traceFile_readsEveryLine(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);
        Path trace = Files.writeString(dir.resolve("t.jsonl"), """
                {"id":"a","arrival":0,"prompt_tokens":100,"output_tokens":5}
                {"id":"b","arrival":0.5,"prompt":"Tell me a story.","output_tokens":5}
                {"id":"c","arrival":0.5,"prompt_tokens":9000,"output_tokens":5}
                """);

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--trace", trace.toString(), "--endpoint", "completions");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("completed / failed / cancelled: +2 / 1 / 0").contains("http_4xx");
    }

    @Test
    void sim_badFleet_failsNamingTheFileAndPath(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), "nodes: [{profile: B200}]");

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=1,duration=1s");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("flotilla sim: " + fleet + ": nodes[0].profile: 'B200'").doesNotContain("\tat ");
    }

    @Test
    void sim_missingTrace_failsNamingIt(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);
        Path missing = dir.resolve("none.jsonl");

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--trace", missing.toString());

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(missing.toString()).doesNotContain("\tat ");
    }

    @Test
    void sim_syntheticWithoutBound_saysWhatIsMissing(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=5");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--synthetic: no bound in 'rate=5'");
    }

    @Test
    void sim_traceAndSynthetic_refused(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--trace", "x.jsonl", "--synthetic", "rate=1");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void sim_unknownPolicy_listsTheKnownOnes(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);

        CommandRun r = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=1,duration=1s", "--policy", "fastest");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("routing.policy: \"fastest\"", "least-requests");
    }

    @Test
    void sim_compareLiveWithinOrBeyondTolerance_exitCodeAndTable(@TempDir Path dir) throws Exception {
        Path fleet = Files.writeString(dir.resolve("fleet.yaml"), FLEET);
        Path out = dir.resolve("out");
        String[] sim = {"sim", "--fleet", fleet.toString(), "--synthetic", "rate=20,duration=5s", "--out",
                out.toString()};
        assertThat(run(sim).exitCode()).isZero();
        ObjectMapper json = new ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode live =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(out.resolve("result.json").toFile());
        Path same = dir.resolve("same.json");
        json.writeValue(same.toFile(), live);
        live.put("p90_e2el_ms", live.get("p90_e2el_ms").asDouble() * 2);
        Path slower = dir.resolve("slower.json");
        json.writeValue(slower.toFile(), live);

        CommandRun agree = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=20,duration=5s",
                "--compare-live", same.toString());
        CommandRun disagree = run("sim", "--fleet", fleet.toString(), "--synthetic", "rate=20,duration=5s",
                "--compare-live", slower.toString(), "--tolerance", "0.2");

        assertThat(agree.exitCode()).as(agree.err()).isZero();
        assertThat(agree.out()).contains("sim vs live", "+0.0% ok", "the simulation agrees");
        assertThat(disagree.exitCode()).as(disagree.err()).isEqualTo(1);
        assertThat(disagree.out()).contains("-50.0% OUT", "tolerance 20.0%: the simulation disagrees on E2E p90");
    }
}
