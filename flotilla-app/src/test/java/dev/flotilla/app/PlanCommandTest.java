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

    @Test
    void plan_solverMilp_exactSolverAndItsTotal() {
        int code = run("plan", sample("inferno-v1-small-sampledata-849e1e8").toString(), "--solver", "milp");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("total cost 41857.75  (solver milp, limited capacity, saturation policy "
                + "RoundRobin; 15 servers, 0 best effort, 0 without allocation)");
    }

    @Test
    void plan_solverMilpHetero_mixedServersInTheTable() {
        int code = run("plan", sample("inferno-v2-perfparms-small-sampledata-125ab02").toString(), "--solver",
                "milp-hetero");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(solver milp-hetero, limited capacity").contains("on a mix of accelerators")
                .containsPattern("mix 1/\\d: \\d+% of the load");
    }

    @Test
    void plan_heterogeneousSettingInTheInput_mixingSolver() throws IOException {
        Path yaml = tmp.resolve("plan.yaml");
        Files.writeString(yaml, """
                accelerators: [{name: A100, type: A100, cost: 40}, {name: G2, type: G2, cost: 23}]
                capacity: {A100: 64, G2: 64}
                models:
                  - {name: m, accelerator: A100, max-batch-size: 64, at-tokens: 512, perf: {alpha: 20.13, beta: 0.087, gamma: 0.0027}}
                  - {name: m, accelerator: G2, max-batch-size: 76, at-tokens: 512, perf: {alpha: 16.78, beta: 0.073, gamma: 0.0023}}
                service-classes: [{name: Gold, priority: 1, model-targets: [{model: m, slo-itl: 40, slo-ttft: 500}]}]
                servers:
                  - {name: s, class: Gold, model: m, current-alloc: {load: {arrival-rate: 150, avg-in-tokens: 128, avg-out-tokens: 1024}}}
                optimizer: {heterogeneous: true}
                """);

        int code = run("plan", yaml.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("(solver milp-hetero, limited capacity");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void plan_unknownSolverOrNoInput_exit2SayingWhat() {
        assertThat(run("plan", sample("inferno-v1-small-sampledata-849e1e8").toString(), "--solver", "cplex")).isEqualTo(2);
        assertThat(err.toString()).contains("flotilla plan: solver: \"cplex\" (expected one of: greedy, milp, "
                + "milp-same-service, milp-hetero, unlimited)");
        assertThat(run("plan")).isEqualTo(2);
        assertThat(err.toString()).contains("flotilla plan: FILE|DIR missing (expected: a problem to plan, or a "
                + "subcommand: fit, generate, compare");
    }

    /** Decode 20.58 + 0.41 n and prefill 164.6 + 0.0128 in n (ms), 1% noise, batch 1..48. */
    private Path samples(boolean oneBatch) throws IOException {
        java.util.Random r = new java.util.Random(5);
        StringBuilder csv = new StringBuilder("phase,batch,in_tokens,out_tokens,time_ms\n");
        int[] in = {128, 512, 2048};
        for (int i = 0; i < 120; i++) {
            int n = oneBatch ? 8 : 1 + r.nextInt(48);
            int tokens = in[r.nextInt(in.length)];
            double decode = (20.58 + 0.41 * n) * (1 + 0.01 * r.nextGaussian());
            double prefill = (164.6 + 0.0128 * tokens * n) * (1 + 0.01 * r.nextGaussian());
            csv.append(String.format(java.util.Locale.ROOT, "decode,%d,%d,256,%.4f%nprefill,%d,%d,256,%.4f%n", n, tokens,
                    decode, n, tokens, prefill));
        }
        return Files.writeString(tmp.resolve("samples.csv"), csv);
    }

    @Test
    void planFit_samples_parametersWithErrorsAndInfernoEntry() throws IOException {
        Path entry = tmp.resolve("entry.json");

        int code = run("plan", "fit", samples(false).toString(), "--model", "granite_13b", "--acc", "A100", "--out",
                entry.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("decode (decodeParms): decode step = alpha + beta * batch (ms)",
                "prefill (prefillParms)", "R² = ", "120 samples").containsPattern("alpha += +20\\.\\d+ ± ")
                .contains("wrote " + entry);
        var perf = dev.flotilla.planner.io.InfernoParts.modelPerf(Files.readString(entry), "entry.json");
        var model = (dev.flotilla.planner.perf.DecodePrefillModel) perf.perf();
        assertThat(perf.model()).isEqualTo("granite_13b");
        assertThat(perf.accelerator()).isEqualTo("A100");
        assertThat(perf.maxBatchSize()).isLessThanOrEqualTo(48);
        assertThat(model.alpha()).isCloseTo(20.58, org.assertj.core.api.Assertions.within(20.58 * 0.05));
        assertThat(model.beta()).isCloseTo(0.41, org.assertj.core.api.Assertions.within(0.41 * 0.05));
        assertThat(model.gamma()).isCloseTo(164.6, org.assertj.core.api.Assertions.within(164.6 * 0.05));
        assertThat(model.delta()).isCloseTo(0.0128, org.assertj.core.api.Assertions.within(0.0128 * 0.05));
    }

    @Test
    void planFit_allAtOneBatchSize_exit2SayingWhy() throws IOException {
        int code = run("plan", "fit", samples(true).toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("flotilla plan fit: decode: all 120 samples at batch size 8 (expected: "
                + "at least two batch sizes");
        assertThat(run("plan", "fit", samples(false).toString(), "--out", "x.json")).isEqualTo(2);
        assertThat(err.toString()).contains("flotilla plan fit: --out needs --model and --acc");
    }

    @Test
    void planGenerateThenPlanAndCompare_sameProblemEachTime() throws IOException {
        Path generated = tmp.resolve("gen.json");

        assertThat(run("plan", "generate", "--servers", "12", "--types", "3", "--seed", "1", "--out",
                generated.toString())).as(err.toString()).isZero();
        String first = Files.readString(generated);
        assertThat(run("plan", "generate", "--servers", "12", "--types", "3", "--seed", "1", "--out",
                generated.toString())).isZero();
        assertThat(Files.readString(generated)).isEqualTo(first);
        assertThat(out.toString()).contains("wrote " + generated + ": 12 servers, 3 accelerator types");

        assertThat(run("plan", generated.toString())).as(err.toString()).isBetween(0, 1);
        assertThat(run("plan", "compare", generated.toString(), "--solvers", "greedy,milp", "--repeat", "1"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("12 servers, 3 accelerator types", "candidate sizing:", "changed vs greedy",
                "milp vs greedy: total cost");
    }

    @Test
    void planCompare_v1LargeDefaultSolvers_sameServiceRowBelowGreedyTotal() {
        assertThat(run("plan", "compare", sample("inferno-v1-large-sampledata-849e1e8").toString(), "--repeat", "1"))
                .as(err.toString()).isZero();

        // the greedy serves 26 of 27 (19273); milp serves all 27 for more; milp-same-service keeps the greedy's service
        assertThat(out.toString()).contains("milp vs greedy: total cost 26300.50 vs 19273 (+36.46%)",
                "milp-same-service vs greedy: total cost ", "milp-hetero vs greedy: total cost ");
        String line = out.toString().lines().filter(l -> l.startsWith("milp-same-service vs greedy")).findFirst()
                .orElseThrow();
        assertThat(line).matches(".*\\(-\\d+\\.\\d\\d%\\)");
    }
}
