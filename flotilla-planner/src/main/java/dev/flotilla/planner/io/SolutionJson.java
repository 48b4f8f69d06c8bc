package dev.flotilla.planner.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.solver.Allocation;
import dev.flotilla.planner.solver.Solution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a solution in the shape of Inferno's {@code solution-data.json}:
 * {@code {"allocations": {server: {accelerator, numReplicas, maxBatch, cost, itlAverage,
 * ttftAverage, load: {arrivalRate, avgInTokens, avgOutTokens}}}}}, servers in name order as Go
 * writes a map. Floating-point figures are written at Go's float32 precision, whole ones without a fraction. A server with zero
 * replicas names no accelerator, as Inferno writes it; unallocated servers are left out.
 *
 * <p>A server on a mix of accelerators (Flotilla's heterogeneous solver; Inferno has no shape for it)
 * keeps the same fields for the whole server and adds {@code mix}, one entry per accelerator in the
 * same shape: {@code accelerator} is the parts' names joined by {@code +} (e.g. {@code "G2+A100"},
 * which no accelerator is called, so that a client that ignores {@code mix} fails instead of deploying
 * the wrong thing); {@code numReplicas} and {@code cost} are the totals; {@code maxBatch} is that of
 * the part taking most of the load; {@code itlAverage} and {@code ttftAverage} are the means over the
 * requests (the parts' figures weighted by their share of the load); each part's
 * {@code load.arrivalRate} is its share of the server's arrival rate.
 */
public final class SolutionJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SolutionJson() {
    }

    public static ObjectNode toJson(Problem problem, Solution solution) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode allocations = root.putObject("allocations");
        solution.allocatedServers().stream().sorted().forEach(server -> {
            Load load = problem.server(server).orElseThrow().load();
            List<Allocation> parts = solution.allocations(server);
            if (parts.size() == 1) {
                allocation(allocations.putObject(server), parts.getFirst(), load, load.arrivalRate());
                return;
            }
            double rateCapacity = parts.stream().mapToDouble(SolutionJson::rateCapacity).sum();
            ObjectNode o = allocations.putObject(server);
            o.put("accelerator", String.join("+", parts.stream().map(Allocation::accelerator).toList()));
            o.put("numReplicas", parts.stream().mapToInt(Allocation::replicas).sum());
            Allocation main = parts.stream().max(java.util.Comparator.comparingDouble(SolutionJson::rateCapacity)).orElseThrow();
            o.put("maxBatch", main.batchSize());
            putFloat(o, "cost", parts.stream().mapToDouble(Allocation::cost).sum());
            putFloat(o, "itlAverage", parts.stream().mapToDouble(a -> a.itl() * rateCapacity(a) / rateCapacity).sum());
            putFloat(o, "ttftAverage", parts.stream().mapToDouble(a -> a.ttft() * rateCapacity(a) / rateCapacity).sum());
            load(o, load, load.arrivalRate());
            ArrayNode mix = o.putArray("mix");
            for (Allocation a : parts) {
                allocation(mix.addObject(), a, load, load.arrivalRate() * rateCapacity(a) / rateCapacity);
            }
        });
        return root;
    }

    private static void allocation(ObjectNode o, Allocation a, Load load, double arrivalRate) {
        o.put("accelerator", a.replicas() == 0 ? "" : a.accelerator());
        o.put("numReplicas", a.replicas());
        o.put("maxBatch", a.replicas() == 0 ? 0 : a.batchSize());
        putFloat(o, "cost", a.cost());
        putFloat(o, "itlAverage", a.itl());
        putFloat(o, "ttftAverage", a.ttft());
        load(o, load, arrivalRate);
    }

    private static void load(ObjectNode o, Load load, double arrivalRate) {
        ObjectNode l = o.putObject("load");
        putFloat(l, "arrivalRate", arrivalRate);
        l.put("avgInTokens", load.avgInTokens());
        l.put("avgOutTokens", load.avgOutTokens());
    }

    /** The rate a part's replicas can take: a mixed server's load is split in proportion to it. */
    private static double rateCapacity(Allocation a) {
        return a.replicas() * a.candidate().maxRatePerReplica();
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
