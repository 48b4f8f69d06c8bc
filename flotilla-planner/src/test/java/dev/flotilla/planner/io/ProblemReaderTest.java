package dev.flotilla.planner.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.testdata.InfernoTestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reading Inferno's files: every bad input is one line naming the file, the entry and the field. */
class ProblemReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** Copies Inferno's v1 small sample into the temp dir, then changes one file. */
    private Path sampleWith(String file, Consumer<ObjectNode> change) {
        try {
            Path source = InfernoTestData.dir(InfernoTestData.V1_SMALL);
            for (String f : new String[] {ProblemReader.ACCELERATOR_FILE, ProblemReader.CAPACITY_FILE,
                    ProblemReader.MODEL_FILE, ProblemReader.SERVICE_CLASS_FILE, ProblemReader.SERVER_FILE,
                    ProblemReader.OPTIMIZER_FILE}) {
                Files.copy(source.resolve(f), dir.resolve(f));
            }
            if (file != null) {
                ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(file).toFile());
                change.accept(root);
                JSON.writeValue(dir.resolve(file).toFile(), root);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode at(ObjectNode root, String list, int index) {
        return (ObjectNode) root.get(list).get(index);
    }

    private static ObjectNode load(ObjectNode servers, int index) {
        return (ObjectNode) at(servers, "servers", index).get("currentAlloc").get("load");
    }

    private static Arguments bad(String name, String file, Consumer<ObjectNode> change, String expected) {
        return Arguments.of(Named.of(name, file), change, expected);
    }

    static Stream<Arguments> badInputs() {
        String accs = "[2xAIU2, 4xA100, A100, AIU2, G2, L4]";
        String models = "[granite_13b, granite_34b, llama_13b, llama_70b, mixtral_8_7b]";
        return Stream.of(
                bad("unknown accelerator in a model entry", "model-data.json", r -> at(r, "models", 0).put("acc", "H100"),
                        "model-data.json: models[0] \"granite_13b on H100\": acc: \"H100\" (expected: the name of an "
                                + "accelerator, one of " + accs + ")"),
                bad("negative arrival rate", "server-data.json", r -> load(r, 0).put("arrivalRate", -60),
                        "server-data.json: servers[0] \"Premium-llama_13b\": currentAlloc.load.arrivalRate: -60 "
                                + "(expected: a finite number >= 0)"),
                bad("negative output tokens", "server-data.json", r -> load(r, 2).put("AvgOutTokens", -1),
                        "server-data.json: servers[2] \"Premium-granite_13b\": currentAlloc.load.avgOutTokens: -1 "
                                + "(expected: >= 0)"),
                bad("fractional token count", "server-data.json", r -> load(r, 0).put("AvgInTokens", 12.5),
                        "server-data.json: servers[0] \"Premium-llama_13b\": currentAlloc.load.avgInTokens: 12.5 "
                                + "(expected: a whole number)"),
                bad("missing load", "server-data.json",
                        r -> ((ObjectNode) at(r, "servers", 1).get("currentAlloc")).remove("load"),
                        "server-data.json: servers[1] \"Premium-llama_70b\": currentAlloc.load: missing"),
                bad("missing server name", "server-data.json", r -> at(r, "servers", 3).remove("name"),
                        "server-data.json: servers[3].name: missing"),
                bad("missing maxBatchSize", "model-data.json", r -> at(r, "models", 1).remove("maxBatchSize"),
                        "model-data.json: models[1] \"granite_13b on L4\": maxBatchSize: missing"),
                bad("missing decode and prefill parameters", "model-data.json", r -> {
                    at(r, "models", 0).remove("decodeParms");
                    at(r, "models", 0).remove("prefillParms");
                }, "model-data.json: models[0] \"granite_13b on AIU2\": perfParms: missing (expected: perfParms{alpha, "
                        + "beta, gamma}, or decodeParms{alpha, beta} and prefillParms{gamma, delta})"),
                bad("missing delta", "model-data.json",
                        r -> ((ObjectNode) at(r, "models", 0).get("prefillParms")).remove("delta"),
                        "model-data.json: models[0] \"granite_13b on AIU2\": prefillParms.delta: missing"),
                bad("two performance models", "model-data.json",
                        r -> at(r, "models", 0).putObject("perfParms").put("alpha", 1).put("beta", 1).put("gamma", 1),
                        "model-data.json: models[0] \"granite_13b on AIU2\": perfParms: given with "
                                + "decodeParms/prefillParms (expected: one performance model: perfParms, or decodeParms "
                                + "and prefillParms)"),
                bad("negative decode slope", "model-data.json",
                        r -> ((ObjectNode) at(r, "models", 2).get("decodeParms")).put("beta", -0.41),
                        "model-data.json: models[2] \"granite_13b on A100\": decodeParms/prefillParms.beta: -0.41 "
                                + "(expected: a finite number >= 0)"),
                bad("model listed twice on an accelerator", "model-data.json",
                        r -> at(r, "models", 1).put("acc", "AIU2"),
                        "model-data.json: models[1] \"granite_13b on AIU2\": acc: \"AIU2\" (expected: one entry per "
                                + "model and accelerator; \"granite_13b\" on \"AIU2\" is listed before)"),
                bad("class naming an unknown model", "serviceclass-data.json",
                        r -> ((ObjectNode) at(r, "serviceClasses", 2).get("modelTargets").get(4)).put("model", "gpt_5"),
                        "serviceclass-data.json: serviceClasses[2] \"Free\": modelTargets[4].model: \"gpt_5\" "
                                + "(expected: a model with performance data, one of " + models + ")"),
                bad("priority out of range", "serviceclass-data.json", r -> at(r, "serviceClasses", 0).put("priority", 0),
                        "serviceclass-data.json: serviceClasses[0] \"Premium\": priority: 0 (expected: 1 (highest) to "
                                + "100 (lowest))"),
                bad("negative SLO", "serviceclass-data.json",
                        r -> ((ObjectNode) at(r, "serviceClasses", 1).get("modelTargets").get(0)).put("slo-itl", -5),
                        "serviceclass-data.json: serviceClasses[1] \"Bronze\": modelTargets[0].slo-itl: -5 "
                                + "(expected: a finite number >= 0)"),
                bad("server naming an unknown class", "server-data.json", r -> at(r, "servers", 0).put("class", "Gold"),
                        "server-data.json: servers[0] \"Premium-llama_13b\": class: \"Gold\" (expected: the name of a "
                                + "service class, one of [Bronze, Free, Premium])"),
                bad("server naming an unknown model", "server-data.json",
                        r -> at(r, "servers", 0).put("model", "llama_7b"),
                        "server-data.json: servers[0] \"Premium-llama_13b\": model: \"llama_7b\" (expected: a model "
                                + "with performance data, one of " + models + ")"),
                bad("server whose class has no target for its model", "serviceclass-data.json",
                        r -> ((ArrayNode) at(r, "serviceClasses", 0).get("modelTargets")).remove(0),
                        "server-data.json: servers[0] \"Premium-llama_13b\": model: \"llama_13b\" (expected: a model "
                                + "that class \"Premium\" has targets for)"),
                bad("duplicate server", "server-data.json", r -> at(r, "servers", 1).put("name", "Premium-llama_13b"),
                        "server-data.json: servers[1] \"Premium-llama_13b\": name: \"Premium-llama_13b\" (expected: a "
                                + "name not used by an earlier server)"),
                bad("current allocation on an unknown accelerator", "server-data.json",
                        r -> ((ObjectNode) at(r, "servers", 0).get("currentAlloc")).put("accelerator", "TPU")
                                .put("numReplicas", 2),
                        "server-data.json: servers[0] \"Premium-llama_13b\": currentAlloc.accelerator: \"TPU\" "
                                + "(expected: empty or the name of an accelerator, one of " + accs + ")"),
                bad("text where a number belongs", "accelerator-data.json",
                        r -> at(r, "accelerators", 1).put("cost", "cheap"),
                        "accelerator-data.json: accelerators[1] \"A100\": cost: \"cheap\" (expected: a number)"),
                bad("duplicate accelerator", "accelerator-data.json", r -> at(r, "accelerators", 1).put("name", "L4"),
                        "accelerator-data.json: accelerators[1] \"L4\": name: \"L4\" (expected: a name not used by an "
                                + "earlier accelerator)"),
                bad("zero multiplicity", "accelerator-data.json", r -> at(r, "accelerators", 5).put("multiplicity", 0),
                        "accelerator-data.json: accelerators[5] \"4xA100\": multiplicity: 0 (expected: >= 1)"),
                bad("negative capacity", "capacity-data.json", r -> at(r, "count", 1).put("count", -4),
                        "capacity-data.json: count[type \"A100\"]: count: -4 (expected: >= 0)"),
                bad("capacity of an unknown type", "capacity-data.json", r -> at(r, "count", 0).put("type", "TPU"),
                        "capacity-data.json: count[type \"TPU\"]: type: \"TPU\" (expected: the type of an accelerator, "
                                + "one of [A100, AIU2, G2, L4])"),
                bad("unknown saturation policy", "optimizer-data.json",
                        r -> ((ObjectNode) r.get("optimizer")).put("saturationPolicy", "Fair"),
                        "optimizer-data.json: optimizer.saturationPolicy: \"Fair\" (expected one of: None, "
                                + "PriorityExhaustive, PriorityRoundRobin, RoundRobin)"),
                bad("not a list", "server-data.json", r -> r.put("servers", "all of them"),
                        "server-data.json: servers: \"all of them\" (expected: a list)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void read_badInput_oneProblemNamingEntryAndField(String file, Consumer<ObjectNode> change, String expected) {
        Path sample = sampleWith(file, change);

        PlannerInputException e = catchThrowableOfType(PlannerInputException.class, () -> ProblemReader.read(sample));

        assertThat(e).as("no exception for a bad " + file).isNotNull();
        assertThat(e.problems()).contains(expected);
        assertThat(e).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void read_problemsInTwoFiles_listsEveryProblemAtOnce() {
        sampleWith("server-data.json", r -> load(r, 0).put("arrivalRate", -1));
        sampleWith2("accelerator-data.json", r -> at(r, "accelerators", 0).remove("cost"));

        assertThatThrownBy(() -> ProblemReader.read(dir)).isInstanceOf(PlannerInputException.class)
                .hasMessage("2 problems in the planner input:\n"
                        + "  accelerator-data.json: accelerators[0] \"L4\": cost: missing\n"
                        + "  server-data.json: servers[0] \"Premium-llama_13b\": currentAlloc.load.arrivalRate: -1 "
                        + "(expected: a finite number >= 0)");
    }

    /** Changes one more file of the already copied sample. */
    private void sampleWith2(String file, Consumer<ObjectNode> change) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(dir.resolve(file).toFile());
            change.accept(root);
            JSON.writeValue(dir.resolve(file).toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void read_malformedJson_namesFileAndLine() throws IOException {
        sampleWith(null, r -> { });
        Files.writeString(dir.resolve("server-data.json"), "{\n  \"servers\": [\n    {\"name\": }\n  ]\n}\n");

        assertThatThrownBy(() -> ProblemReader.read(dir)).isInstanceOf(PlannerInputException.class)
                .hasMessageStartingWith("server-data.json: not valid JSON at line 3, column 14: ");
    }

    @Test
    void read_missingRequiredFile_saysWhich() throws IOException {
        sampleWith(null, r -> { });
        Files.delete(dir.resolve("server-data.json"));

        assertThatThrownBy(() -> ProblemReader.read(dir)).isInstanceOf(PlannerInputException.class)
                .hasMessage(dir.resolve("server-data.json") + ": missing (expected: Inferno's server-data.json)");
    }

    @Test
    void read_missingOptionalFiles_defaults() throws IOException {
        sampleWith(null, r -> { });
        Files.delete(dir.resolve("capacity-data.json"));
        Files.delete(dir.resolve("optimizer-data.json"));

        Problem p = ProblemReader.read(dir);

        assertThat(p.capacity()).isEmpty();
        assertThat(p.optimizer().unlimited()).isFalse();
        assertThat(p.optimizer().saturationPolicy()).isEqualTo(SaturationPolicy.NONE);
    }

    @Test
    void read_emptyDirectory_saysWhatIsExpected() {
        assertThatThrownBy(() -> ProblemReader.read(dir)).isInstanceOf(PlannerInputException.class)
                .hasMessageContaining("no accelerator-data.json or system-data.json in this directory");
    }

    @Test
    void read_noSuchFile_saysSo() {
        assertThatThrownBy(() -> ProblemReader.read(dir.resolve("plan.json"))).isInstanceOf(PlannerInputException.class)
                .hasMessage(dir.resolve("plan.json") + ": no such file");
    }

    @Test
    void read_keysInAnyCase_likeGo() {
        sampleWith("optimizer-data.json", r -> {
            ObjectNode o = (ObjectNode) r.get("optimizer");
            o.removeAll();
            o.put("UNLIMITED", true).put("milpsolver", true).put("DelayedBestEffort", true)
                    .put("saturationpolicy", "PriorityExhaustive");
        });
        sampleWith2("server-data.json", r -> load(r, 0).put("ARRIVALRATE", 90).remove("arrivalRate"));

        Problem p = ProblemReader.read(dir);

        assertThat(p.optimizer().unlimited()).isTrue();
        assertThat(p.optimizer().milp()).isTrue();
        assertThat(p.optimizer().delayedBestEffort()).isTrue();
        assertThat(p.optimizer().saturationPolicy()).isEqualTo(SaturationPolicy.PRIORITY_EXHAUSTIVE);
        assertThat(p.servers().getFirst().load().arrivalRate()).isEqualTo(90);
        assertThat(p.servers().getFirst().load().avgInTokens()).isEqualTo(128);
    }

    @Test
    void read_currentAllocationWithoutCost_costComputedFromTheAccelerator() {
        sampleWith("server-data.json", r -> ((ObjectNode) at(r, "servers", 0).get("currentAlloc"))
                .put("accelerator", "G2").put("numReplicas", 3));

        Problem p = ProblemReader.read(dir);

        assertThat(p.servers().getFirst().current().cost()).isEqualTo(3 * 23.0);
    }

    @Test
    void read_systemDocumentWithoutSystem_saysWhatIsExpected() throws IOException {
        Path file = dir.resolve("plan.json");
        JsonNode notSystem = JSON.createObjectNode().putObject("acceleratorData");
        Files.writeString(file, notSystem.toString());

        assertThatThrownBy(() -> ProblemReader.read(file)).isInstanceOf(PlannerInputException.class)
                .hasMessageStartingWith("plan.json: system: missing (expected: Inferno's SystemData document");
    }
}
