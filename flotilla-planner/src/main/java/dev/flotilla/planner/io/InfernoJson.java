package dev.flotilla.planner.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.perf.ChunkedIterationModel;
import dev.flotilla.planner.perf.DecodePrefillModel;
import dev.flotilla.planner.perf.IterationModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes planner input in Inferno's JSON shapes (llm-inferno/optimizer {@code pkg/config/types.go}):
 * each part as its REST API answers it, and the whole problem as its SystemData document, which
 * {@link ProblemReader} reads back to the same problem. Numbers are written exactly (whole ones
 * without a fraction).
 */
public final class InfernoJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private InfernoJson() {
    }

    /** A fresh JSON object. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** {@code AcceleratorSpec}. */
    public static ObjectNode accelerator(Accelerator a) {
        ObjectNode o = object();
        o.put("name", a.name());
        o.put("type", a.type());
        o.put("multiplicity", a.multiplicity());
        o.put("memSize", a.memSizeGb());
        o.put("memBW", a.memBwGbps());
        ObjectNode p = o.putObject("power");
        number(p, "idle", a.power().idle());
        number(p, "full", a.power().full());
        number(p, "midPower", a.power().midPower());
        number(p, "midUtil", a.power().midUtil());
        number(o, "cost", a.cost());
        return o;
    }

    /** {@code AcceleratorCount}. */
    public static ObjectNode count(String type, int count) {
        ObjectNode o = object();
        o.put("type", type);
        o.put("count", count);
        return o;
    }

    /** {@code CapacityData}: {@code {"count": [...]}}. */
    public static ObjectNode capacityData(Map<String, Integer> capacity) {
        ObjectNode o = object();
        ArrayNode list = o.putArray("count");
        capacity.forEach((type, n) -> list.add(count(type, n)));
        return o;
    }

    /** {@code ModelAcceleratorPerfData}: {@code decodeParms}/{@code prefillParms} or {@code perfParms}. */
    public static ObjectNode model(ModelPerf m) {
        ObjectNode o = object();
        o.put("name", m.model());
        o.put("acc", m.accelerator());
        o.put("accCount", m.accCount());
        o.put("maxBatchSize", m.maxBatchSize());
        o.put("atTokens", m.atTokens());
        switch (m.perf()) {
            case DecodePrefillModel d -> {
                ObjectNode decode = o.putObject("decodeParms");
                number(decode, "alpha", d.alpha());
                number(decode, "beta", d.beta());
                ObjectNode prefill = o.putObject("prefillParms");
                number(prefill, "gamma", d.gamma());
                number(prefill, "delta", d.delta());
            }
            case IterationModel i -> perfParms(o, i.alpha(), i.beta(), i.gamma());
            case ChunkedIterationModel c -> perfParms(o, c.alpha(), c.beta(), c.gamma()).put("maxNumTokens", c.maxNumTokens());
        }
        return o;
    }

    private static ObjectNode perfParms(ObjectNode o, double alpha, double beta, double gamma) {
        ObjectNode p = o.putObject("perfParms");
        number(p, "alpha", alpha);
        number(p, "beta", beta);
        number(p, "gamma", gamma);
        return p;
    }

    /** {@code ModelTarget}. */
    public static ObjectNode modelTarget(ModelTarget t) {
        ObjectNode o = object();
        o.put("model", t.model());
        number(o, "slo-itl", t.sloItl());
        number(o, "slo-ttft", t.sloTtft());
        number(o, "slo-tps", t.sloTps());
        return o;
    }

    /** {@code ServiceClassSpec}. */
    public static ObjectNode serviceClass(ServiceClass c) {
        ObjectNode o = object();
        o.put("name", c.name());
        o.put("priority", c.priority());
        ArrayNode targets = o.putArray("modelTargets");
        c.targets().forEach(t -> targets.add(modelTarget(t)));
        return o;
    }

    /**
     * {@code ServerSpec} without {@code desiredAlloc}; {@code currentItl} and {@code currentTtft} are
     * the current allocation's observed averages (the problem does not keep them).
     */
    public static ObjectNode server(Server s, double currentItl, double currentTtft) {
        ObjectNode o = object();
        o.put("name", s.name());
        o.put("class", s.serviceClass());
        o.put("model", s.model());
        o.put("keepAccelerator", s.keepAccelerator());
        o.put("minNumReplicas", s.minNumReplicas());
        o.put("maxBatchSize", s.maxBatchSize());
        CurrentAllocation c = s.current();
        ObjectNode cur = o.putObject("currentAlloc");
        cur.put("accelerator", c.accelerator());
        cur.put("numReplicas", c.numReplicas());
        cur.put("maxBatch", c.maxBatch());
        number(cur, "cost", c.cost());
        number(cur, "itlAverage", currentItl);
        number(cur, "ttftAverage", currentTtft);
        cur.set("load", load(s.load()));
        return o;
    }

    /** {@code ServerLoadSpec}. */
    public static ObjectNode load(Load l) {
        ObjectNode o = object();
        number(o, "arrivalRate", l.arrivalRate());
        o.put("avgInTokens", l.avgInTokens());
        o.put("avgOutTokens", l.avgOutTokens());
        return o;
    }

    /** Inferno's zero {@code AllocationData}: what it shows for a server without an allocation. */
    public static ObjectNode emptyAllocation(Load l) {
        ObjectNode o = object();
        o.put("accelerator", "");
        o.put("numReplicas", 0);
        o.put("maxBatch", 0);
        o.put("cost", 0);
        o.put("itlAverage", 0);
        o.put("ttftAverage", 0);
        o.set("load", load(l));
        return o;
    }

    /** {@code OptimizerSpec} (the body of Inferno's {@code POST /optimize}). */
    public static ObjectNode optimizerSpec(OptimizerSettings s) {
        ObjectNode o = object();
        o.put("unlimited", s.unlimited());
        o.put("heterogeneous", s.heterogeneous());
        o.put("milpSolver", s.milp());
        o.put("useCplex", s.useCplex());
        o.put("delayedBestEffort", s.delayedBestEffort());
        o.put("saturationPolicy", s.saturationPolicy().infernoName());
        return o;
    }

    /** The whole problem as Inferno's SystemData document ({@code {"system": {...}}}). */
    public static ObjectNode systemData(Problem p) {
        ObjectNode root = object();
        ObjectNode system = root.putObject("system");
        ArrayNode accs = system.putObject("acceleratorData").putArray("accelerators");
        p.accelerators().forEach(a -> accs.add(accelerator(a)));
        ArrayNode models = system.putObject("modelData").putArray("models");
        p.models().forEach(m -> models.add(model(m)));
        ArrayNode classes = system.putObject("serviceClassData").putArray("serviceClasses");
        p.serviceClasses().forEach(c -> classes.add(serviceClass(c)));
        ArrayNode servers = system.putObject("serverData").putArray("servers");
        p.servers().forEach(s -> servers.add(server(s, 0, 0)));
        system.set("capacityData", capacityData(p.capacity()));
        system.putObject("optimizerData").set("optimizer", optimizerSpec(p.optimizer()));
        return root;
    }

    /** Pretty-printed JSON text with a final newline. */
    public static String toString(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@link #systemData} to a file. */
    public static void writeSystemData(Problem p, Path file) throws IOException {
        Files.writeString(file, toString(systemData(p)));
    }

    private static void number(ObjectNode o, String key, double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            o.put(key, (long) v);
        } else {
            o.put(key, v);
        }
    }
}
