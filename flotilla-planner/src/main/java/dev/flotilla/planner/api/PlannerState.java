package dev.flotilla.planner.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.io.InfernoJson;
import dev.flotilla.planner.io.SolutionJson;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.InputKey.Dialect;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.solver.Solution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The system held by the stateful REST API, as Inferno's server holds it: accelerators, capacity,
 * models (each with performance data per accelerator), service classes, servers (each with its
 * desired allocation from the last optimisation) and optimizer settings. Setting an entry replaces
 * the one of the same name and keeps the others, as Inferno does. The parts are checked on their own
 * when they arrive; {@link #problem()} puts them together and checks the references between them.
 * Thread-safe: every method holds the monitor, none does I/O or solves.
 */
final class PlannerState {

    /** A server with what the problem does not keep: its current allocation's observed averages and its desired allocation. */
    record StoredServer(Server server, double currentItl, double currentTtft, ObjectNode desired) {
    }

    private final Map<String, Accelerator> accelerators = new LinkedHashMap<>();
    private final Map<String, Integer> capacity = new LinkedHashMap<>();
    private final Map<String, Map<String, ModelPerf>> models = new LinkedHashMap<>();
    private final Map<String, ServiceClass> classes = new LinkedHashMap<>();
    private final Map<String, StoredServer> servers = new LinkedHashMap<>();
    private OptimizerSettings optimizer = OptimizerSettings.DEFAULT;

    synchronized void putAccelerators(List<Accelerator> list) {
        list.forEach(a -> accelerators.put(a.name(), a));
    }

    synchronized List<Accelerator> accelerators() {
        return List.copyOf(accelerators.values());
    }

    synchronized Optional<Accelerator> accelerator(String name) {
        return Optional.ofNullable(accelerators.get(name));
    }

    synchronized Optional<Accelerator> removeAccelerator(String name) {
        return Optional.ofNullable(accelerators.remove(name));
    }

    synchronized void putCapacities(Map<String, Integer> counts) {
        capacity.putAll(counts);
    }

    synchronized Map<String, Integer> capacities() {
        return new LinkedHashMap<>(capacity);
    }

    synchronized Optional<Integer> capacity(String type) {
        return Optional.ofNullable(capacity.get(type));
    }

    synchronized Optional<Integer> removeCapacity(String type) {
        return Optional.ofNullable(capacity.remove(type));
    }

    /** Adds or replaces performance entries, creating their models. */
    synchronized void putModels(List<ModelPerf> list) {
        list.forEach(m -> models.computeIfAbsent(m.model(), k -> new LinkedHashMap<>()).put(m.accelerator(), m));
    }

    synchronized List<String> modelNames() {
        return List.copyOf(models.keySet());
    }

    /** The performance entries of a model (empty list for a model added without data); empty when unknown. */
    synchronized Optional<List<ModelPerf>> model(String name) {
        Map<String, ModelPerf> perf = models.get(name);
        return perf == null ? Optional.empty() : Optional.of(List.copyOf(perf.values()));
    }

    /** Inferno's {@code addModel}: a model of that name without performance data, replacing one that exists. */
    synchronized void addModel(String name) {
        models.put(name, new LinkedHashMap<>());
    }

    synchronized boolean removeModel(String name) {
        return models.remove(name) != null;
    }

    synchronized Optional<ModelPerf> modelPerf(String model, String accelerator) {
        Map<String, ModelPerf> perf = models.get(model);
        return perf == null ? Optional.empty() : Optional.ofNullable(perf.get(accelerator));
    }

    /** Adds a performance entry to a model that exists; false when the model does not. */
    synchronized boolean addModelPerf(ModelPerf perf) {
        Map<String, ModelPerf> byAcc = models.get(perf.model());
        if (byAcc == null) {
            return false;
        }
        byAcc.put(perf.accelerator(), perf);
        return true;
    }

    synchronized Optional<ModelPerf> removeModelPerf(String model, String accelerator) {
        Map<String, ModelPerf> perf = models.get(model);
        return perf == null ? Optional.empty() : Optional.ofNullable(perf.remove(accelerator));
    }

    synchronized void putServiceClasses(List<ServiceClass> list) {
        list.forEach(c -> classes.put(c.name(), c));
    }

    synchronized List<ServiceClass> serviceClasses() {
        return List.copyOf(classes.values());
    }

    synchronized Optional<ServiceClass> serviceClass(String name) {
        return Optional.ofNullable(classes.get(name));
    }

    synchronized Optional<ServiceClass> removeServiceClass(String name) {
        return Optional.ofNullable(classes.remove(name));
    }

    /** Adds or replaces the class's targets per model (Inferno's {@code UpdateModelTargets}). */
    synchronized ServiceClass mergeTargets(ServiceClass existing, List<ModelTarget> targets) {
        Map<String, ModelTarget> byModel = new LinkedHashMap<>();
        existing.targets().forEach(t -> byModel.put(t.model(), t));
        targets.forEach(t -> byModel.put(t.model(), t));
        ServiceClass updated = new ServiceClass(existing.name(), existing.priority(), List.copyOf(byModel.values()));
        classes.put(updated.name(), updated);
        return updated;
    }

    /** Removes the target of a model from a class; empty when the class or the target is unknown. */
    synchronized Optional<ModelTarget> removeTarget(String className, String model) {
        ServiceClass c = classes.get(className);
        if (c == null) {
            return Optional.empty();
        }
        Optional<ModelTarget> target = c.target(model);
        target.ifPresent(t -> classes.put(c.name(), new ServiceClass(c.name(), c.priority(),
                c.targets().stream().filter(x -> !x.model().equals(model)).toList())));
        return target;
    }

    synchronized void putServers(List<StoredServer> list) {
        list.forEach(s -> servers.put(s.server().name(), s));
    }

    synchronized List<StoredServer> servers() {
        return List.copyOf(servers.values());
    }

    synchronized Optional<StoredServer> server(String name) {
        return Optional.ofNullable(servers.get(name));
    }

    synchronized Optional<StoredServer> removeServer(String name) {
        return Optional.ofNullable(servers.remove(name));
    }

    synchronized OptimizerSettings optimizer() {
        return optimizer;
    }

    synchronized void optimizer(OptimizerSettings settings) {
        optimizer = settings;
    }

    /**
     * The stored system as a problem with the given settings, every reference checked.
     *
     * @throws dev.flotilla.planner.model.PlannerInputException listing what does not fit together
     */
    synchronized Problem problem(OptimizerSettings settings) {
        List<ModelPerf> perf = new ArrayList<>();
        models.values().forEach(m -> perf.addAll(m.values()));
        return Problem.of(List.copyOf(accelerators.values()), capacity, perf, List.copyOf(classes.values()),
                servers.values().stream().map(StoredServer::server).toList(), settings, Dialect.INFERNO);
    }

    /**
     * Records each server's desired allocation from a solution of {@code problem}: its entry in the
     * solution JSON, or Inferno's empty allocation when it got none. Servers removed or replaced
     * since the problem was taken keep what they have.
     */
    synchronized void recordSolution(Problem problem, Solution solution) {
        JsonNode allocations = SolutionJson.toJson(problem, solution).get("allocations");
        for (Server s : problem.servers()) {
            StoredServer stored = servers.get(s.name());
            if (stored == null || !stored.server().equals(s)) {
                continue;
            }
            JsonNode desired = allocations.get(s.name());
            servers.put(s.name(), new StoredServer(s, stored.currentItl(), stored.currentTtft(),
                    desired == null ? InfernoJson.emptyAllocation(s.load()) : (ObjectNode) desired));
        }
    }

    /** Replaces the whole system with {@code problem} (Inferno's {@code /optimizeOne} does), keeping its solution. */
    synchronized void replace(Problem problem, Solution solution) {
        accelerators.clear();
        capacity.clear();
        models.clear();
        classes.clear();
        servers.clear();
        putAccelerators(problem.accelerators());
        putCapacities(problem.capacity());
        putModels(problem.models());
        putServiceClasses(problem.serviceClasses());
        problem.servers().forEach(s -> servers.put(s.name(), new StoredServer(s, 0, 0, null)));
        optimizer = problem.optimizer();
        recordSolution(problem, solution);
    }

    /**
     * Inferno's {@code applyAllocation}: every server's desired allocation becomes its current one,
     * so that the next optimisation charges moves from there. A server on a mix of accelerators
     * keeps the part taking most of its load as its current allocation (the current allocation
     * names one accelerator); a server without a desired allocation runs nowhere. Loads are kept.
     */
    synchronized void applyDesired() {
        for (StoredServer stored : List.copyOf(servers.values())) {
            ObjectNode desired = stored.desired();
            if (desired == null) {
                continue;
            }
            JsonNode main = desired;
            if (desired.has("mix")) {
                double most = -1;
                for (JsonNode part : desired.get("mix")) {
                    double rate = part.get("load").get("arrivalRate").asDouble();
                    if (rate > most) {
                        most = rate;
                        main = part;
                    }
                }
            }
            String acc = main.get("accelerator").asText();
            Server s = stored.server();
            CurrentAllocation current = acc.isEmpty() ? CurrentAllocation.NONE
                    : new CurrentAllocation(acc, main.get("numReplicas").asInt(), main.get("maxBatch").asInt(),
                            main.get("cost").asDouble());
            Server applied = new Server(s.name(), s.serviceClass(), s.model(), s.keepAccelerator(), s.minNumReplicas(),
                    s.maxBatchSize(), s.load(), current);
            servers.put(s.name(), new StoredServer(applied, main.get("itlAverage").asDouble(),
                    main.get("ttftAverage").asDouble(), desired));
        }
    }
}
