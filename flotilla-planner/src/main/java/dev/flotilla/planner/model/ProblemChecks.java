package dev.flotilla.planner.model;

import static dev.flotilla.planner.model.InputKey.*;

import dev.flotilla.planner.model.InputKey.Dialect;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks of a problem's numbers and references. Each problem names the entry (section, index and
 * name) and the field as the input spells it, and the offending value, e.g.
 * {@code servers[2] "Premium-llama_13b": class: 'Gold' (expected: the name of a service class)}.
 */
final class ProblemChecks {

    private final Dialect dialect;
    /** False to check each entry on its own: fields and ranges, not whether the names it uses exist. */
    private final boolean references;
    private final List<String> problems = new ArrayList<>();

    private ProblemChecks(Dialect dialect, boolean references) {
        this.dialect = dialect;
        this.references = references;
    }

    static List<String> problems(List<Accelerator> accelerators, Map<String, Integer> capacity, List<ModelPerf> models,
            List<ServiceClass> classes, List<Server> servers, Dialect dialect) {
        ProblemChecks c = new ProblemChecks(dialect, true);
        c.check(accelerators, capacity, models, classes, servers);
        return c.problems;
    }

    /** As {@link #problems}, leaving out the checks that one entry's names resolve to another's. */
    static List<String> entryProblems(List<Accelerator> accelerators, Map<String, Integer> capacity,
            List<ModelPerf> models, List<ServiceClass> classes, List<Server> servers, Dialect dialect) {
        ProblemChecks c = new ProblemChecks(dialect, false);
        c.check(accelerators, capacity, models, classes, servers);
        return c.problems;
    }

    private void check(List<Accelerator> accelerators, Map<String, Integer> capacity, List<ModelPerf> models,
            List<ServiceClass> classes, List<Server> servers) {
        Map<String, Accelerator> accByName = new HashMap<>();
        Set<String> types = new HashSet<>();
        for (int i = 0; i < accelerators.size(); i++) {
            Accelerator a = accelerators.get(i);
            String e = entry(ACCELERATORS, i, a.name());
            if (a.name().isBlank()) {
                fail(e, NAME, "''", "a non-empty name");
            } else if (accByName.putIfAbsent(a.name(), a) != null) {
                fail(e, NAME, quote(a.name()), "a name not used by an earlier accelerator");
            }
            if (a.type().isBlank()) {
                fail(e, TYPE, "''", "a non-empty accelerator type");
            }
            types.add(a.type());
            atLeast(e, key(MULTIPLICITY), a.multiplicity(), 1);
            nonNegative(e, key(COST), a.cost());
        }
        for (Map.Entry<String, Integer> c : capacity.entrySet()) {
            String e = key(CAPACITY) + "[type " + quote(c.getKey()) + "]";
            if (references && !types.contains(c.getKey())) {
                fail(e, TYPE, quote(c.getKey()), "the type of an accelerator, one of " + types.stream().sorted().toList());
            }
            atLeast(e, key(COUNT), c.getValue(), 0);
        }
        Set<String> modelNames = new HashSet<>();
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < models.size(); i++) {
            ModelPerf m = models.get(i);
            String e = entry(MODELS, i, m.model() + " on " + m.accelerator());
            if (m.model().isBlank()) {
                fail(e, NAME, "''", "a non-empty model name");
            }
            modelNames.add(m.model());
            if (references && !accByName.containsKey(m.accelerator())) {
                fail(e, ACC, quote(m.accelerator()), "the name of an accelerator, one of " + accByName.keySet().stream().sorted().toList());
            }
            if (!pairs.add(m.model() + "\u0000" + m.accelerator())) {
                fail(e, ACC, quote(m.accelerator()), "one entry per model and accelerator; " + quote(m.model())
                        + " on " + quote(m.accelerator()) + " is listed before");
            }
            atLeast(e, key(ACC_COUNT), m.accCount(), 1);
            atLeast(e, key(MAX_BATCH_SIZE), m.maxBatchSize(), 1);
            atLeast(e, key(AT_TOKENS), m.atTokens(), 1);
            String perfKey = switch (m.perf()) {
                case dev.flotilla.planner.perf.DecodePrefillModel d -> key(DECODE_PARMS) + "/" + key(PREFILL_PARMS);
                default -> key(PERF_PARMS);
            };
            m.perf().parameters().forEach((name, value) -> nonNegative(e, perfKey + "." + name, value));
        }
        Map<String, ServiceClass> classByName = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            ServiceClass c = classes.get(i);
            String e = entry(SERVICE_CLASSES, i, c.name());
            if (c.name().isBlank()) {
                fail(e, NAME, "''", "a non-empty class name");
            } else if (classByName.putIfAbsent(c.name(), c) != null) {
                fail(e, NAME, quote(c.name()), "a name not used by an earlier service class");
            }
            if (c.priority() < ServiceClass.HIGHEST_PRIORITY || c.priority() > ServiceClass.LOWEST_PRIORITY) {
                fail(e, PRIORITY, String.valueOf(c.priority()), "1 (highest) to 100 (lowest)");
            }
            for (int t = 0; t < c.targets().size(); t++) {
                ModelTarget target = c.targets().get(t);
                String te = e + ": " + key(MODEL_TARGETS) + "[" + t + "]";
                if (references && !modelNames.contains(target.model())) {
                    problems.add(te + "." + key(MODEL) + ": " + quote(target.model())
                            + " (expected: a model with performance data, one of " + modelNames.stream().sorted().toList() + ")");
                }
                nonNegativeAt(te, key(SLO_ITL), target.sloItl());
                nonNegativeAt(te, key(SLO_TTFT), target.sloTtft());
                nonNegativeAt(te, key(SLO_TPS), target.sloTps());
            }
        }
        Set<String> serverNames = new HashSet<>();
        for (int i = 0; i < servers.size(); i++) {
            Server s = servers.get(i);
            String e = entry(SERVERS, i, s.name());
            if (s.name().isBlank()) {
                fail(e, NAME, "''", "a non-empty server name");
            } else if (!serverNames.add(s.name())) {
                fail(e, NAME, quote(s.name()), "a name not used by an earlier server");
            }
            ServiceClass c = classByName.get(s.serviceClass());
            if (c == null && references) {
                fail(e, CLASS, quote(s.serviceClass()), "the name of a service class, one of " + classByName.keySet().stream().sorted().toList());
            }
            if (references && !modelNames.contains(s.model())) {
                fail(e, MODEL, quote(s.model()), "a model with performance data, one of " + modelNames.stream().sorted().toList());
            } else if (references && c != null && c.target(s.model()).isEmpty()) {
                fail(e, MODEL, quote(s.model()), "a model that class " + quote(c.name()) + " has targets for");
            }
            atLeast(e, key(MIN_NUM_REPLICAS), s.minNumReplicas(), 0);
            atLeast(e, key(MAX_BATCH_SIZE), s.maxBatchSize(), 0);
            String load = key(CURRENT_ALLOC) + "." + key(LOAD) + ".";
            nonNegative(e, load + key(ARRIVAL_RATE), s.load().arrivalRate());
            atLeast(e, load + key(AVG_IN_TOKENS), s.load().avgInTokens(), 0);
            atLeast(e, load + key(AVG_OUT_TOKENS), s.load().avgOutTokens(), 0);
            CurrentAllocation cur = s.current();
            String curKey = key(CURRENT_ALLOC) + ".";
            if (references && !cur.isNone() && !accByName.containsKey(cur.accelerator())) {
                fail(e, curKey + key(ACCELERATOR), quote(cur.accelerator()),
                        "empty or the name of an accelerator, one of " + accByName.keySet().stream().sorted().toList());
            }
            atLeast(e, curKey + key(NUM_REPLICAS), cur.numReplicas(), 0);
            atLeast(e, curKey + key(MAX_BATCH), cur.maxBatch(), 0);
            nonNegative(e, curKey + key(COST), cur.cost());
        }
    }

    private String key(InputKey k) {
        return k.in(dialect);
    }

    private String entry(InputKey section, int index, String name) {
        return key(section) + "[" + index + "] " + quote(name);
    }

    private void fail(String entry, InputKey field, String value, String expected) {
        fail(entry, key(field), value, expected);
    }

    private void fail(String entry, String field, String value, String expected) {
        problems.add(entry + ": " + field + ": " + value + " (expected: " + expected + ")");
    }

    private void atLeast(String entry, String field, long value, long min) {
        if (value < min) {
            fail(entry, field, String.valueOf(value), ">= " + min);
        }
    }

    private void nonNegative(String entry, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            fail(entry, field, number(value), "a finite number >= 0");
        }
    }

    private void nonNegativeAt(String path, String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            problems.add(path + "." + field + ": " + number(value) + " (expected: a finite number >= 0)");
        }
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    static String number(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }
}
