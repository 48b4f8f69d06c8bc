package dev.flotilla.planner.model;

import dev.flotilla.planner.model.InputKey.Dialect;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A capacity-planning problem as Inferno states it: accelerators and how many cards of each type
 * are available, per-accelerator performance of each model, classes of service with SLO targets,
 * the servers to place (class, model, load, current allocation) and the solver settings.
 *
 * <p>Immutable and checked on construction: every reference resolves (a model entry names a known
 * accelerator, a server a known class and model, a class a known model, ...) and every number is
 * in range, else a {@link PlannerInputException} lists each problem.
 */
public final class Problem {

    private final List<Accelerator> accelerators;
    private final Map<String, Integer> capacity;
    private final List<ModelPerf> models;
    private final List<ServiceClass> serviceClasses;
    private final List<Server> servers;
    private final OptimizerSettings optimizer;

    private final Map<String, Accelerator> acceleratorsByName = new LinkedHashMap<>();
    private final Map<String, Map<String, ModelPerf>> perfByModel = new LinkedHashMap<>();
    private final Map<String, ServiceClass> classesByName = new LinkedHashMap<>();
    private final Map<String, Server> serversByName = new LinkedHashMap<>();

    /**
     * @param capacity cards available per accelerator type; a type not listed has none
     */
    public Problem(List<Accelerator> accelerators, Map<String, Integer> capacity, List<ModelPerf> models,
            List<ServiceClass> serviceClasses, List<Server> servers, OptimizerSettings optimizer) {
        this(accelerators, capacity, models, serviceClasses, servers, optimizer, Dialect.INFERNO);
    }

    private Problem(List<Accelerator> accelerators, Map<String, Integer> capacity, List<ModelPerf> models,
            List<ServiceClass> serviceClasses, List<Server> servers, OptimizerSettings optimizer, Dialect dialect) {
        this.accelerators = List.copyOf(accelerators);
        this.capacity = Collections.unmodifiableMap(new LinkedHashMap<>(capacity));
        this.models = List.copyOf(models);
        this.serviceClasses = List.copyOf(serviceClasses);
        this.servers = List.copyOf(servers);
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        List<String> problems = ProblemChecks.problems(this.accelerators, this.capacity, this.models,
                this.serviceClasses, this.servers, dialect);
        if (!problems.isEmpty()) {
            throw new PlannerInputException(problems);
        }
        for (Accelerator a : this.accelerators) {
            acceleratorsByName.put(a.name(), a);
        }
        for (ModelPerf m : this.models) {
            perfByModel.computeIfAbsent(m.model(), k -> new LinkedHashMap<>()).put(m.accelerator(), m);
        }
        for (ServiceClass c : this.serviceClasses) {
            classesByName.put(c.name(), c);
        }
        for (Server s : this.servers) {
            serversByName.put(s.name(), s);
        }
    }

    /** As the public constructor, but problems are reported with the keys of {@code dialect}. */
    public static Problem of(List<Accelerator> accelerators, Map<String, Integer> capacity, List<ModelPerf> models,
            List<ServiceClass> serviceClasses, List<Server> servers, OptimizerSettings optimizer, Dialect dialect) {
        return new Problem(accelerators, capacity, models, serviceClasses, servers, optimizer, dialect);
    }

    /**
     * The problems {@link #of} would report for these parts, without building the problem (empty
     * when it would succeed).
     */
    public static List<String> problems(List<Accelerator> accelerators, Map<String, Integer> capacity,
            List<ModelPerf> models, List<ServiceClass> serviceClasses, List<Server> servers, Dialect dialect) {
        return ProblemChecks.problems(accelerators, capacity, models, serviceClasses, servers, dialect);
    }

    /**
     * The problems of each entry on its own (missing or out-of-range fields, duplicates within a
     * list), without checking that the names an entry uses (an accelerator, a class, a model) exist:
     * for input that arrives in parts, e.g. Inferno's stateful REST API, where a model may be set
     * before its accelerator. {@link #of} checks the rest when the parts are put together.
     */
    public static List<String> entryProblems(List<Accelerator> accelerators, Map<String, Integer> capacity,
            List<ModelPerf> models, List<ServiceClass> serviceClasses, List<Server> servers, Dialect dialect) {
        return ProblemChecks.entryProblems(accelerators, capacity, models, serviceClasses, servers, dialect);
    }

    public List<Accelerator> accelerators() {
        return accelerators;
    }

    /** Cards available per accelerator type, in input order. */
    public Map<String, Integer> capacity() {
        return capacity;
    }

    /** Cards of {@code type} available (0 when the type is not listed). */
    public int capacity(String type) {
        return capacity.getOrDefault(type, 0);
    }

    public List<ModelPerf> models() {
        return models;
    }

    public List<ServiceClass> serviceClasses() {
        return serviceClasses;
    }

    public List<Server> servers() {
        return servers;
    }

    public OptimizerSettings optimizer() {
        return optimizer;
    }

    public Optional<Accelerator> accelerator(String name) {
        return Optional.ofNullable(acceleratorsByName.get(name));
    }

    /** Performance of {@code model} on accelerator {@code accelerator}, if given. */
    public Optional<ModelPerf> perf(String model, String accelerator) {
        Map<String, ModelPerf> byAcc = perfByModel.get(model);
        return byAcc == null ? Optional.empty() : Optional.ofNullable(byAcc.get(accelerator));
    }

    public Optional<ServiceClass> serviceClass(String name) {
        return Optional.ofNullable(classesByName.get(name));
    }

    public Optional<Server> server(String name) {
        return Optional.ofNullable(serversByName.get(name));
    }

    /** The class of {@code server} (it exists: checked on construction). */
    public ServiceClass serviceClassOf(Server server) {
        return classesByName.get(server.serviceClass());
    }

    /** The SLO targets of {@code server} (they exist: checked on construction). */
    public ModelTarget targetOf(Server server) {
        return serviceClassOf(server).target(server.model()).orElseThrow();
    }

    /** The same problem with other solver settings. */
    public Problem withOptimizer(OptimizerSettings settings) {
        return new Problem(accelerators, capacity, models, serviceClasses, servers, settings);
    }

    /** The same problem with other capacity counts. */
    public Problem withCapacity(Map<String, Integer> counts) {
        return new Problem(accelerators, counts, models, serviceClasses, servers, optimizer);
    }

    /** The same problem with other servers. */
    public Problem withServers(List<Server> newServers) {
        return new Problem(accelerators, capacity, models, serviceClasses, newServers, optimizer);
    }
}
