package dev.flotilla.planner.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.Allocation;
import dev.flotilla.planner.solver.Solution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Writes a solution in the shape of Inferno's {@code solution-data.json}:
 * {@code {"allocations": {server: {accelerator, numReplicas, maxBatch, cost, itlAverage,
 * ttftAverage, load: {arrivalRate, avgInTokens, avgOutTokens}}}}}, servers in name order as Go
 * writes a map. Floating-point figures are written at Go's float32 precision, whole ones without a fraction. A server with zero
 * replicas names no accelerator, as Inferno writes it; unallocated servers are left out.
 */
public final class SolutionJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SolutionJson() {
    }

    public static ObjectNode toJson(Problem problem, Solution solution) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode allocations = root.putObject("allocations");
        solution.allocations().stream().sorted(Comparator.comparing(Allocation::server)).forEach(a -> {
            ObjectNode o = allocations.putObject(a.server());
            o.put("accelerator", a.replicas() == 0 ? "" : a.accelerator());
            o.put("numReplicas", a.replicas());
            o.put("maxBatch", a.replicas() == 0 ? 0 : a.batchSize());
            putFloat(o, "cost", a.cost());
            putFloat(o, "itlAverage", a.itl());
            putFloat(o, "ttftAverage", a.ttft());
            Load load = problem.server(a.server()).orElseThrow().load();
            ObjectNode l = o.putObject("load");
            putFloat(l, "arrivalRate", load.arrivalRate());
            l.put("avgInTokens", load.avgInTokens());
            l.put("avgOutTokens", load.avgOutTokens());
        });
        return root;
    }

    /** As Go writes a float32: whole numbers without a fraction, others in the shortest form. */
    private static void putFloat(ObjectNode o, String key, double value) {
        float f = (float) value;
        if (f == Math.rint(f) && Math.abs(f) < 1e15) {
            o.put(key, (long) f);
        } else {
            o.put(key, f);
        }
    }

    public static String toString(Problem problem, Solution solution) {
        try {
            return JSON.writeValueAsString(toJson(problem, solution)) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Problem problem, Solution solution, Path file) throws IOException {
        Files.writeString(file, toString(problem, solution));
    }
}
