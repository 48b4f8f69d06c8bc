package dev.flotilla.planner.io;

import static dev.flotilla.planner.model.InputKey.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.InputKey.Dialect;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Power;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.perf.ChunkedIterationModel;
import dev.flotilla.planner.perf.DecodePrefillModel;
import dev.flotilla.planner.perf.IterationModel;
import dev.flotilla.planner.perf.PerformanceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the sections of planner input (already located in a file) into a {@link Problem}, in
 * either spelling. Each section has its own label (a file name or a path) that prefixes its
 * problems; all problems are gathered before a {@link PlannerInputException} is thrown.
 */
final class ProblemParser {

    /** Where a section was found: its node (the object that holds the section's key) and a label for messages. */
    record Section(Node holder, String label) {
    }

    private final Dialect dialect;

    ProblemParser(Dialect dialect) {
        this.dialect = dialect;
    }

    Problem parse(Section accelerators, Optional<Section> capacity, Section models, Section classes, Section servers,
            Optional<Section> optimizer) {
        List<Accelerator> accs = new ArrayList<>();
        for (Node n : accelerators.holder().list(ACCELERATORS, true)) {
            accs.add(accelerator(n));
        }
        Map<String, Integer> counts = capacity.map(s -> capacity(s.holder())).orElseGet(LinkedHashMap::new);
        List<ModelPerf> perfs = new ArrayList<>();
        for (Node n : models.holder().list(MODELS, true)) {
            perfs.add(model(n));
        }
        List<ServiceClass> svcs = new ArrayList<>();
        for (Node n : classes.holder().list(SERVICE_CLASSES, true)) {
            svcs.add(serviceClass(n));
        }
        List<Server> srvs = new ArrayList<>();
        for (Node n : servers.holder().list(SERVERS, true)) {
            srvs.add(server(n, accs, perfs));
        }
        OptimizerSettings settings = optimizer.flatMap(s -> s.holder().object(OPTIMIZER, true))
                .map(this::optimizer).orElse(OptimizerSettings.DEFAULT);

        List<String> problems = new ArrayList<>();
        List<Section> all = new ArrayList<>(List.of(accelerators, models, classes, servers));
        capacity.ifPresent(all::add);
        optimizer.ifPresent(all::add);
        Set<List<String>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Section s : all) {
            if (seen.add(s.holder().problems())) {
                s.holder().problems().stream().distinct().forEach(p -> problems.add(prefix(s.label(), p)));
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ACCELERATORS.in(dialect) + "[", accelerators.label());
        labels.put(CAPACITY.in(dialect) + "[", capacity.map(Section::label).orElse(accelerators.label()));
        labels.put(MODELS.in(dialect) + "[", models.label());
        labels.put(SERVICE_CLASSES.in(dialect) + "[", classes.label());
        labels.put(SERVERS.in(dialect) + "[", servers.label());
        // entries that could not be read are reported once, by the reader; the range and reference
        // checks still cover every other entry, so that all problems are listed at once
        Set<String> unreadable = new HashSet<>();
        for (Section s : all) {
            s.holder().problems().forEach(p -> unreadable.add(entryOf(p)));
        }
        for (String p : Problem.problems(accs, counts, perfs, svcs, srvs, dialect)) {
            if (!unreadable.contains(entryOf(p))) {
                problems.add(prefix(labelFor(p, labels), p));
            }
        }
        if (!problems.isEmpty()) {
            throw new PlannerInputException(problems);
        }
        return Problem.of(accs, counts, perfs, svcs, srvs, settings, dialect);
    }

    /** The section and index a problem is about, e.g. {@code servers[2]}. */
    private static String entryOf(String problem) {
        int end = problem.indexOf(']');
        return end < 0 ? problem : problem.substring(0, end + 1);
    }

    private static String labelFor(String problem, Map<String, String> labels) {
        return labels.entrySet().stream().filter(l -> problem.startsWith(l.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse("");
    }

    private static String prefix(String label, String problem) {
        return label.isEmpty() ? problem : label + ": " + problem;
    }

    Accelerator accelerator(Node n) {
        n.rejectUnknownKeys(EnumSet.of(NAME, TYPE, MULTIPLICITY, MEM_SIZE, MEM_BW, POWER, COST));
        String name = n.string(NAME, "", true);
        Node e = n.named(name);
        Power power = e.object(POWER, false).map(p -> {
            p.rejectUnknownKeys(EnumSet.of(IDLE, FULL, MID_POWER, MID_UTIL));
            return new Power(p.number(IDLE, 0, false), p.number(FULL, 0, false), p.number(MID_POWER, 0, false),
                    p.number(MID_UTIL, 0, false));
        }).orElse(Power.UNKNOWN);
        return new Accelerator(name, e.string(TYPE, "", true), e.integer(MULTIPLICITY, 1, false),
                e.number(COST, 0, true), e.integer(MEM_SIZE, 0, false), e.integer(MEM_BW, 0, false), power);
    }

    Map<String, Integer> capacity(Node holder) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        Optional<JsonNode> raw = holder.raw(CAPACITY);
        if (dialect == Dialect.YAML && raw.isPresent() && raw.get().isObject()) {
            // Flotilla's YAML also takes a map from type to count
            Node map = holder.object(CAPACITY, true).orElseThrow();
            Iterator<String> types = raw.get().fieldNames();
            while (types.hasNext()) {
                String type = types.next();
                JsonNode v = raw.get().get(type);
                if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
                    map.problem(map.path() + "." + type + ": " + Node.shown(v) + " (expected: a whole number)");
                    continue;
                }
                counts.put(type, v.asInt());
            }
            return counts;
        }
        for (Node n : holder.list(CAPACITY, true)) {
            n.rejectUnknownKeys(EnumSet.of(TYPE, COUNT));
            String type = n.string(TYPE, "", true);
            int count = n.integer(COUNT, 0, true);
            if (counts.containsKey(type)) {
                n.problem(n.at(TYPE) + ": \"" + type + "\" (expected: each type once; it is listed before)");
            }
            counts.put(type, count);
        }
        return counts;
    }

    /** Placeholder for performance parameters that could not be read (the entry is reported already). */
    private static final PerformanceModel UNREADABLE = new DecodePrefillModel(0, 0, 0, 0);

    ModelPerf model(Node n) {
        n.rejectUnknownKeys(EnumSet.of(NAME, ACC, ACC_COUNT, MAX_BATCH_SIZE, AT_TOKENS, DECODE_PARMS, PREFILL_PARMS,
                PERF_PARMS));
        String name = n.string(NAME, "", true);
        String acc = n.string(ACC, "", true);
        Node e = n.named(name + " on " + acc);
        int accCount = e.integer(ACC_COUNT, 1, false);
        int maxBatch = e.integer(MAX_BATCH_SIZE, 0, true);
        int atTokens = e.integer(AT_TOKENS, 0, true);
        PerformanceModel perf = perf(e).orElse(UNREADABLE);
        // Inferno runs a model on one unit when accCount is 0 or missing
        return new ModelPerf(name, acc, accCount == 0 ? 1 : accCount, maxBatch, atTokens, perf);
    }

    private Optional<PerformanceModel> perf(Node e) {
        boolean iteration = e.has(PERF_PARMS);
        boolean decodePrefill = e.has(DECODE_PARMS) || e.has(PREFILL_PARMS);
        if (iteration && decodePrefill) {
            e.problem(e.at(PERF_PARMS) + ": given with " + DECODE_PARMS.in(dialect) + "/" + PREFILL_PARMS.in(dialect)
                    + " (expected: one performance model: " + PERF_PARMS.in(dialect) + ", or "
                    + DECODE_PARMS.in(dialect) + " and " + PREFILL_PARMS.in(dialect) + ")");
            return Optional.empty();
        }
        if (iteration) {
            Node p = e.object(PERF_PARMS, true).orElse(null);
            if (p == null) {
                return Optional.empty();
            }
            p.rejectUnknownKeys(EnumSet.of(ALPHA, BETA, GAMMA, MAX_NUM_TOKENS));
            double alpha = p.number(ALPHA, 0, true);
            double beta = p.number(BETA, 0, true);
            double gamma = p.number(GAMMA, 0, true);
            if (p.has(MAX_NUM_TOKENS)) {
                int budget = p.integer(MAX_NUM_TOKENS, ChunkedIterationModel.DEFAULT_MAX_NUM_TOKENS, true);
                if (budget < 1) {
                    p.problem(p.at(MAX_NUM_TOKENS) + ": " + budget + " (expected: >= 1)");
                    return Optional.empty();
                }
                return Optional.of(new ChunkedIterationModel(alpha, beta, gamma, budget));
            }
            return Optional.of(new IterationModel(alpha, beta, gamma));
        }
        if (!decodePrefill) {
            e.problem(e.at(PERF_PARMS) + ": missing (expected: " + PERF_PARMS.in(dialect) + "{alpha, beta, gamma}, or "
                    + DECODE_PARMS.in(dialect) + "{alpha, beta} and " + PREFILL_PARMS.in(dialect) + "{gamma, delta})");
            return Optional.empty();
        }
        Node d = e.object(DECODE_PARMS, true).orElse(null);
        Node p = e.object(PREFILL_PARMS, true).orElse(null);
        if (d == null || p == null) {
            return Optional.empty();
        }
        d.rejectUnknownKeys(EnumSet.of(ALPHA, BETA));
        p.rejectUnknownKeys(EnumSet.of(GAMMA, DELTA));
        return Optional.of(new DecodePrefillModel(d.number(ALPHA, 0, true), d.number(BETA, 0, true),
                p.number(GAMMA, 0, true), p.number(DELTA, 0, true)));
    }

    ServiceClass serviceClass(Node n) {
        n.rejectUnknownKeys(EnumSet.of(NAME, PRIORITY, MODEL_TARGETS));
        String name = n.string(NAME, "", true);
        Node e = n.named(name);
        int priority = e.integer(PRIORITY, ServiceClass.LOWEST_PRIORITY, false);
        List<ModelTarget> targets = new ArrayList<>();
        for (Node t : e.list(MODEL_TARGETS, false)) {
            t.rejectUnknownKeys(EnumSet.of(MODEL, SLO_ITL, SLO_TTFT, SLO_TPS));
            targets.add(new ModelTarget(t.string(MODEL, "", true), t.number(SLO_ITL, 0, false),
                    t.number(SLO_TTFT, 0, false), t.number(SLO_TPS, 0, false)));
        }
        return new ServiceClass(name, priority, targets);
    }

    Server server(Node n, List<Accelerator> accs, List<ModelPerf> perfs) {
        n.rejectUnknownKeys(EnumSet.of(NAME, CLASS, MODEL, KEEP_ACCELERATOR, MIN_NUM_REPLICAS, MAX_BATCH_SIZE,
                CURRENT_ALLOC));
        String name = n.string(NAME, "", true);
        Node e = n.named(name);
        String model = e.string(MODEL, "", true);
        Load load = new Load(0, 0, 0);
        CurrentAllocation current = CurrentAllocation.NONE;
        Optional<Node> cur = e.object(CURRENT_ALLOC, true);
        if (cur.isPresent()) {
            Node c = cur.get();
            c.rejectUnknownKeys(EnumSet.of(ACCELERATOR, NUM_REPLICAS, MAX_BATCH, COST, ITL_AVERAGE, TTFT_AVERAGE, LOAD));
            Optional<Node> l = c.object(LOAD, true);
            if (l.isPresent()) {
                l.get().rejectUnknownKeys(EnumSet.of(ARRIVAL_RATE, AVG_IN_TOKENS, AVG_OUT_TOKENS));
                load = new Load(l.get().number(ARRIVAL_RATE, 0, true), l.get().integer(AVG_IN_TOKENS, 0, true),
                        l.get().integer(AVG_OUT_TOKENS, 0, true));
            }
            String acc = c.string(ACCELERATOR, "", false);
            int replicas = c.integer(NUM_REPLICAS, 0, false);
            double cost = c.has(COST) ? c.number(COST, 0, false) : currentCost(acc, model, replicas, accs, perfs);
            current = new CurrentAllocation(acc, replicas, c.integer(MAX_BATCH, 0, false), cost);
        }
        return new Server(name, e.string(CLASS, Server.DEFAULT_SERVICE_CLASS, false), model,
                e.bool(KEEP_ACCELERATOR, false), e.integer(MIN_NUM_REPLICAS, 0, false),
                e.integer(MAX_BATCH_SIZE, 0, false), load, current);
    }

    /** Cost of a current allocation given without one: what its replicas cost on that accelerator. */
    private static double currentCost(String acc, String model, int replicas, List<Accelerator> accs,
            List<ModelPerf> perfs) {
        if (acc.isEmpty() || replicas <= 0) {
            return 0;
        }
        double unitCost = accs.stream().filter(a -> a.name().equals(acc)).mapToDouble(Accelerator::cost).findFirst()
                .orElse(0);
        int accCount = perfs.stream().filter(p -> p.model().equals(model) && p.accelerator().equals(acc))
                .mapToInt(ModelPerf::accCount).findFirst().orElse(1);
        return unitCost * accCount * replicas;
    }

    OptimizerSettings optimizer(Node n) {
        n.rejectUnknownKeys(EnumSet.of(UNLIMITED, HETEROGENEOUS, MILP_SOLVER, USE_CPLEX, DELAYED_BEST_EFFORT,
                SATURATION_POLICY));
        String policyText = n.string(SATURATION_POLICY, SaturationPolicy.NONE.infernoName(), false);
        SaturationPolicy policy = policyText.isBlank() ? SaturationPolicy.NONE
                : SaturationPolicy.parse(policyText).orElse(null);
        if (policy == null) {
            n.problem(n.at(SATURATION_POLICY) + ": \"" + policyText + "\" (expected one of: "
                    + String.join(", ", Arrays.stream(SaturationPolicy.values())
                            .map(p -> dialect == Dialect.YAML ? p.yamlName() : p.infernoName()).toList()) + ")");
            policy = SaturationPolicy.NONE;
        }
        return new OptimizerSettings(n.bool(UNLIMITED, false), n.bool(HETEROGENEOUS, false), n.bool(MILP_SOLVER, false),
                n.bool(USE_CPLEX, false), n.bool(DELAYED_BEST_EFFORT, false), policy);
    }
}
