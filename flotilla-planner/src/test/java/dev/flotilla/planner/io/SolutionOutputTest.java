package dev.flotilla.planner.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.Solution;
import dev.flotilla.planner.solver.Solvers;
import dev.flotilla.planner.testdata.InfernoTestData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The solution as Inferno's JSON and as a table. */
class SolutionOutputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void toJson_v2Small_sameDocumentAsPublishedUpToFloatNoise() throws IOException {
        Problem p = ProblemReader.read(InfernoTestData.dir(InfernoTestData.V2_SMALL));
        JsonNode ours = JSON.readTree(SolutionJson.toString(p, Solvers.solve(p)));
        JsonNode published = InfernoTestData.json(InfernoTestData.V2_SMALL, "solution-data.json");

        List<String> names = new ArrayList<>();
        ours.get("allocations").fieldNames().forEachRemaining(names::add);
        assertThat(names).isSorted().hasSize(published.get("allocations").size());
        Iterator<Map.Entry<String, JsonNode>> it = published.get("allocations").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = ours.get("allocations").get(e.getKey());
            assertThat(o.fieldNames()).toIterable().containsExactlyElementsOf(() -> e.getValue().fieldNames());
            for (String exact : new String[] {"accelerator", "numReplicas", "maxBatch", "cost", "load"}) {
                assertThat(o.get(exact)).as(e.getKey() + "." + exact).isEqualTo(e.getValue().get(exact));
            }
            for (String approx : new String[] {"itlAverage", "ttftAverage"}) {
                double v = e.getValue().get(approx).asDouble();
                assertThat(o.get(approx).asDouble()).as(e.getKey() + "." + approx).isCloseTo(v, within(v * 1e-3));
            }
        }
    }

    @Test
    void render_example_slackIsTargetMinusPrediction() {
        Problem p = ProblemReader.read(PlannerYamlTest.example());
        Solution s = Solvers.solve(p);

        String table = PlanTable.render(p, s);

        double itl = s.allocation("premium-llama").orElseThrow().itl();
        assertThat(table.lines().findFirst().orElseThrow()).startsWith("server").contains("ITL slack", "TTFT slack",
                "TPS slack");
        assertThat(table).containsPattern("premium-llama +Premium +G2 +7 +38 +161 +"
                + String.format(java.util.Locale.ROOT, "%.2f", itl).replace(".", "\\.")
                + " +[0-9.]+ +\\+" + String.format(java.util.Locale.ROOT, "%.2f", 40 - itl).replace(".", "\\."));
        assertThat(table).contains("best effort: 1 of 19 replicas needed; SLOs not met");
        assertThat(table).contains("total cost 344  (solver greedy, limited capacity, saturation policy RoundRobin; "
                + "4 servers, 1 best effort, 0 without allocation)");
        assertThat(table).contains("cards used (of available): G2 8/8, A100 4/16");
    }
}
