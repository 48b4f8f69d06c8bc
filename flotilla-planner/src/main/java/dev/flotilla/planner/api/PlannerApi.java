package dev.flotilla.planner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flotilla.planner.api.PlannerState.StoredServer;
import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.io.InfernoJson;
import dev.flotilla.planner.io.InfernoParts;
import dev.flotilla.planner.io.ProblemReader;
import dev.flotilla.planner.io.SolutionJson;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.PlannerInputException;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.model.ServiceClass;
import dev.flotilla.planner.solver.Solution;
import dev.flotilla.planner.solver.Solver;
import dev.flotilla.planner.solver.Solvers;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Inferno's optimizer REST API (llm-inferno/optimizer {@code rest-server}), so that an Inferno
 * control loop can point at Flotilla: the stateless {@code POST /optimizeOne} (a SystemData
 * document in, the allocation solution out) and the stateful routes that set, get, add and remove
 * accelerators, capacity, models and their performance data, service classes and their targets,
 * servers, then {@code POST /optimize} on the stored system and {@code GET /applyAllocation}. Same
 * paths, methods and payloads as Inferno; the full list is in docs/planner.md ("REST API").
 *
 * <p>{@link #router(Vertx)} gives a router per server instance; every router of one
 * {@code PlannerApi} shares its stored system. Errors are Inferno's {@code {"message": ...}} (404
 * for an unknown name; 400 for bad input, with {@code problems} listing each one, naming the entry
 * and the field). Solving runs on a worker thread, never on the event loop.
 */
public final class PlannerApi {

    /** Largest request body: a SystemData document of thousands of servers fits. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PlannerState state = new PlannerState();
    private final BiFunction<String, OptimizerSettings, Solver> solvers;

    private PlannerApi(BiFunction<String, OptimizerSettings, Solver> solvers) {
        this.solvers = Objects.requireNonNull(solvers, "solvers");
    }

    /**
     * An API with an empty stored system. The solver follows each problem's optimizer settings
     * ({@link Solvers#forSettings}); a {@code ?solver=greedy|milp|milp-same-service|milp-hetero|unlimited} query
     * parameter on the optimize routes overrides it.
     */
    public static PlannerApi create() {
        return new PlannerApi((name, settings) -> name == null ? Solvers.forSettings(settings)
                : Solvers.named(name, settings));
    }

    /** A router with every route, for one HTTP server instance (or to mount under a prefix). */
    public Router router(Vertx vertx) {
        Router r = Router.router(vertx);
        BodyHandler bodyHandler = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        Handler<RoutingContext> body = rc -> {
            // Inferno reads every body as JSON whatever its Content-Type (curl -d sends a form type);
            // Vert.x would decode a form body and refuse fields over 8 KB, so the body is taken as JSON
            String type = rc.request().getHeader(HttpHeaders.CONTENT_TYPE);
            if (type != null && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/"))) {
                rc.request().headers().set(HttpHeaders.CONTENT_TYPE, "application/json");
            }
            bodyHandler.handle(rc);
        };

        r.post("/setAccelerators").handler(body).handler(quick(this::setAccelerators));
        r.get("/getAccelerators").handler(quick(rc -> array(state.accelerators(), InfernoJson::accelerator)));
        r.get("/getAccelerator/:name").handler(quick(rc -> InfernoJson.accelerator(state.accelerator(name(rc))
                .orElseThrow(() -> notFound("accelerator", name(rc), names(state.accelerators(), Accelerator::name))))));
        r.post("/addAccelerator").handler(body).handler(quick(rc -> {
            Accelerator a = InfernoParts.accelerator(text(rc), "addAccelerator");
            state.putAccelerators(List.of(a));
            return InfernoJson.accelerator(a);
        }));
        r.get("/removeAccelerator/:name").handler(quick(rc -> InfernoJson.accelerator(state.removeAccelerator(name(rc))
                .orElseThrow(() -> notFound("accelerator", name(rc), names(state.accelerators(), Accelerator::name))))));

        r.post("/setCapacities").handler(body).handler(quick(rc -> {
            Map<String, Integer> counts = InfernoParts.capacities(text(rc), "setCapacities");
            state.putCapacities(counts);
            return InfernoJson.capacityData(counts);
        }));
        r.get("/getCapacities").handler(quick(rc -> InfernoJson.capacityData(state.capacities())));
        r.get("/getCapacity/:type").handler(quick(rc -> InfernoJson.count(type(rc), state.capacity(type(rc))
                .orElseThrow(() -> notFound("capacity for accelerator type", type(rc),
                        List.copyOf(state.capacities().keySet()))))));
        r.post("/setCapacity").handler(body).handler(quick(rc -> {
            InfernoParts.Count c = InfernoParts.count(text(rc), "setCapacity");
            state.putCapacities(Map.of(c.type(), c.count()));
            return InfernoJson.count(c.type(), c.count());
        }));
        r.get("/removeCapacity/:type").handler(quick(rc -> InfernoJson.count(type(rc), state.removeCapacity(type(rc))
                .orElseThrow(() -> notFound("accelerator type", type(rc), List.copyOf(state.capacities().keySet()))))));

        r.post("/setModels").handler(body).handler(quick(rc -> {
            List<ModelPerf> models = InfernoParts.models(text(rc), "setModels");
            state.putModels(models);
            return modelData(models);
        }));
        r.get("/getModels").handler(quick(rc -> state.modelNames()));
        r.get("/getModel/:name").handler(quick(rc -> modelData(state.model(name(rc))
                .orElseThrow(() -> notFound("model", name(rc), state.modelNames())))));
        r.get("/addModel/:name").handler(quick(rc -> {
            state.addModel(name(rc));
            return name(rc);
        }));
        r.get("/removeModel/:name").handler(quick(rc -> {
            if (!state.removeModel(name(rc))) {
                throw notFound("model", name(rc), state.modelNames());
            }
            return name(rc);
        }));
        r.get("/getModelAcceleratorPerf/:name/:acc").handler(quick(rc -> InfernoJson.model(modelPerf(rc))));
        r.post("/addModelAcceleratorPerf").handler(body).handler(quick(rc -> {
            ModelPerf perf = InfernoParts.modelPerf(text(rc), "addModelAcceleratorPerf");
            if (!state.addModelPerf(perf)) {
                throw notFound("model", perf.model(), state.modelNames());
            }
            return InfernoJson.model(perf);
        }));
        r.get("/removeModelAcceleratorPerf/:name/:acc").handler(quick(rc -> {
            ModelPerf perf = modelPerf(rc);
            state.removeModelPerf(perf.model(), perf.accelerator());
            return InfernoJson.model(perf);
        }));

        r.post("/setServiceClasses").handler(body).handler(quick(rc -> {
            List<ServiceClass> classes = InfernoParts.serviceClasses(text(rc), "setServiceClasses");
            state.putServiceClasses(classes);
            ObjectNode out = InfernoJson.object();
            ArrayNode list = out.putArray("serviceClasses");
            classes.forEach(c -> list.add(InfernoJson.serviceClass(c)));
            return out;
        }));
        r.get("/getServiceClasses").handler(quick(rc -> {
            ObjectNode out = InfernoJson.object();
            ArrayNode list = out.putArray("serviceClasses");
            state.serviceClasses().forEach(c -> list.add(InfernoJson.serviceClass(c)));
            return out;
        }));
        r.get("/getServiceClass/:name").handler(quick(rc -> InfernoJson.serviceClass(serviceClass(rc, name(rc)))));
        r.get("/addServiceClass/:name/:priority").handler(quick(this::addServiceClass));
        r.get("/removeServiceClass/:name").handler(quick(rc -> InfernoJson.serviceClass(
                state.removeServiceClass(name(rc)).orElseThrow(() -> notFound("service class", name(rc),
                        names(state.serviceClasses(), ServiceClass::name))))));
        r.post("/addServiceClassModelTargets").handler(body).handler(quick(this::addTargets));
        r.get("/getServiceClassModelTarget/:name/:model").handler(quick(rc -> InfernoJson.modelTarget(
                serviceClass(rc, name(rc)).target(rc.pathParam("model")).orElseThrow(() -> notFound(
                        "model target of service class " + quoted(name(rc)) + " for model", rc.pathParam("model"),
                        serviceClass(rc, name(rc)).targets().stream().map(t -> t.model()).toList())))));
        r.get("/removeServiceClassModelTarget/:name/:model").handler(quick(rc -> {
            ServiceClass c = serviceClass(rc, name(rc));
            return InfernoJson.modelTarget(state.removeTarget(c.name(), rc.pathParam("model")).orElseThrow(() -> notFound(
                    "model target of service class " + quoted(c.name()) + " for model", rc.pathParam("model"),
                    c.targets().stream().map(t -> t.model()).toList())));
        }));

        r.post("/setServers").handler(body).handler(quick(this::setServers));
        r.get("/getServers").handler(quick(rc -> serverData(state.servers())));
        r.get("/getServer/:name").handler(quick(rc -> server(state.server(name(rc))
                .orElseThrow(() -> unknownServer(name(rc))))));
        r.post("/addServer").handler(body).handler(quick(this::addServer));
        r.get("/removeServer/:name").handler(quick(rc -> server(state.removeServer(name(rc))
                .orElseThrow(() -> unknownServer(name(rc))))));

        // Flotilla's additions: the optimizer settings /optimize uses when its body is empty
        r.post("/setOptimizer").handler(body).handler(quick(rc -> {
            state.optimizer(InfernoParts.optimizer(text(rc), "setOptimizer", OptimizerSettings.DEFAULT));
            return optimizerData(state.optimizer());
        }));
        r.get("/getOptimizer").handler(quick(rc -> optimizerData(state.optimizer())));

        r.post("/optimize").handler(body).handler(this::optimize);
        r.post("/optimizeOne").handler(body).handler(this::optimizeOne);
        r.get("/applyAllocation").handler(quick(rc -> {
            state.applyDesired();
            return "Done";
        }));

        r.route().failureHandler(this::failure);
        r.errorHandler(404, rc -> send(rc, 404, message("unknown path: " + rc.request().method() + " "
                + rc.request().path() + " (see docs/planner.md, \"REST API\", for the routes)")));
        r.errorHandler(405, rc -> send(rc, 405, message("method " + rc.request().method() + " is not allowed on "
                + rc.request().path())));
        return r;
    }

    // --- handlers with more than a line ---

    private Object setAccelerators(RoutingContext rc) {
        List<Accelerator> list = InfernoParts.accelerators(text(rc), "setAccelerators");
        state.putAccelerators(list);
        ObjectNode out = InfernoJson.object();
        ArrayNode array = out.putArray("accelerators");
        list.forEach(a -> array.add(InfernoJson.accelerator(a)));
        return out;
    }

    private Object addServiceClass(RoutingContext rc) {
        String text = rc.pathParam("priority");
        int priority;
        try {
            priority = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw badRequest("addServiceClass: priority: \"" + text + "\" (expected: a whole number, 1 (highest) to 100 (lowest))");
        }
        if (priority < ServiceClass.HIGHEST_PRIORITY || priority > ServiceClass.LOWEST_PRIORITY) {
            throw badRequest("addServiceClass: priority: " + priority + " (expected: 1 (highest) to 100 (lowest))");
        }
        ServiceClass c = new ServiceClass(name(rc), priority, List.of());
        state.putServiceClasses(List.of(c));
        return InfernoJson.serviceClass(c);
    }

    private Object addTargets(RoutingContext rc) {
        ServiceClass spec = InfernoParts.serviceClass(text(rc), "addServiceClassModelTargets");
        ServiceClass existing = serviceClass(rc, spec.name());
        if (existing.priority() != spec.priority()) {
            throw badRequest("addServiceClassModelTargets: serviceClass " + quoted(spec.name()) + ": priority: "
                    + spec.priority() + " (expected: " + existing.priority() + ", the priority of the stored class)");
        }
        return InfernoJson.serviceClass(state.mergeTargets(existing, spec.targets()));
    }

    private Object setServers(RoutingContext rc) {
        String body = text(rc);
        List<Server> list = InfernoParts.servers(body, "setServers", state.accelerators(), allPerf());
        JsonNode entries = field(readTree(body), "servers");
        List<StoredServer> stored = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            stored.add(stored(list.get(i), entries.get(i)));
        }
        state.putServers(stored);
        return serverData(stored);
    }

    private Object addServer(RoutingContext rc) {
        String body = text(rc);
        Server s = InfernoParts.server(body, "addServer", state.accelerators(), allPerf());
        StoredServer stored = stored(s, readTree(body));
        state.putServers(List.of(stored));
        return server(stored);
    }

    /** {@code POST /optimize}: the stored system, with the settings in the body (or the stored ones when it is empty). */
    private void optimize(RoutingContext rc) {
        String body;
        String solverName;
        Problem problem;
        try {
            body = text(rc);
            solverName = rc.request().getParam("solver");
            OptimizerSettings settings = InfernoParts.optimizer(body, "optimize", state.optimizer());
            try {
                problem = state.problem(settings);
            } catch (PlannerInputException e) {
                throw new PlannerInputException(e.problems().stream().map(p -> "stored system: " + p).toList());
            }
        } catch (RuntimeException e) {
            fail(rc, e);
            return;
        }
        rc.vertx().executeBlocking(() -> {
            Solution solution = solve(problem, solverName);
            state.recordSolution(problem, solution);
            return (Object) SolutionJson.toJson(problem, solution);
        }, false).onSuccess(out -> send(rc, 200, out)).onFailure(e -> fail(rc, e));
    }

    /**
     * {@code POST /optimizeOne}: solves the SystemData document in the body alone. Like Inferno, the
     * system it describes then becomes the stored one (so the {@code /get...} routes show it).
     */
    private void optimizeOne(RoutingContext rc) {
        String body = rc.body().asString();
        String solverName = rc.request().getParam("solver");
        rc.vertx().executeBlocking(() -> {
            if (body == null || body.isBlank()) {
                throw new PlannerInputException("optimizeOne: empty body (expected: Inferno's SystemData document "
                        + "{\"system\": {...}})");
            }
            Problem problem = ProblemReader.parseInfernoSystem(body, "optimizeOne");
            Solution solution = solve(problem, solverName);
            state.replace(problem, solution);
            return (Object) SolutionJson.toJson(problem, solution);
        }, false).onSuccess(out -> send(rc, 200, out)).onFailure(e -> fail(rc, e));
    }

    private Solution solve(Problem problem, String solverName) {
        Solver solver;
        try {
            solver = solvers.apply(solverName, problem.optimizer());
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        return solver.solve(problem, Candidates.all(problem));
    }

    // --- helpers ---

    private List<ModelPerf> allPerf() {
        List<ModelPerf> out = new ArrayList<>();
        state.modelNames().forEach(m -> out.addAll(state.model(m).orElse(List.of())));
        return out;
    }

    private ModelPerf modelPerf(RoutingContext rc) {
        String model = name(rc);
        String acc = rc.pathParam("acc");
        List<ModelPerf> perf = state.model(model).orElseThrow(() -> notFound("model", model, state.modelNames()));
        return state.modelPerf(model, acc).orElseThrow(() -> notFound("performance data of model " + quoted(model)
                + " on accelerator", acc, perf.stream().map(ModelPerf::accelerator).toList()));
    }

    private ServiceClass serviceClass(RoutingContext rc, String name) {
        return state.serviceClass(name).orElseThrow(() -> notFound("service class", name,
                names(state.serviceClasses(), ServiceClass::name)));
    }

    private ApiError unknownServer(String name) {
        return notFound("server", name, state.servers().stream().map(s -> s.server().name()).toList());
    }

    /** A server with its current allocation's observed ITL and TTFT, which the problem does not keep. */
    private static StoredServer stored(Server s, JsonNode entry) {
        JsonNode current = field(entry, "currentAlloc");
        return new StoredServer(s, field(current, "itlAverage").asDouble(0), field(current, "ttftAverage").asDouble(0),
                null);
    }

    private static ObjectNode server(StoredServer s) {
        ObjectNode o = InfernoJson.server(s.server(), s.currentItl(), s.currentTtft());
        o.set("desiredAlloc", s.desired() == null ? InfernoJson.emptyAllocation(s.server().load()) : s.desired());
        return o;
    }

    private static ObjectNode serverData(List<StoredServer> servers) {
        ObjectNode out = InfernoJson.object();
        ArrayNode list = out.putArray("servers");
        servers.forEach(s -> list.add(server(s)));
        return out;
    }

    private static ObjectNode modelData(List<ModelPerf> models) {
        ObjectNode out = InfernoJson.object();
        ArrayNode list = out.putArray("models");
        models.forEach(m -> list.add(InfernoJson.model(m)));
        return out;
    }

    private static ObjectNode optimizerData(OptimizerSettings settings) {
        ObjectNode out = InfernoJson.object();
        out.set("optimizer", InfernoJson.optimizerSpec(settings));
        return out;
    }

    private static <T> ArrayNode array(List<T> items, Function<T, ObjectNode> writer) {
        ArrayNode out = JSON.createArrayNode();
        items.forEach(i -> out.add(writer.apply(i)));
        return out;
    }

    private static <T> List<String> names(List<T> items, Function<T, String> name) {
        return items.stream().map(name).toList();
    }

    /** The child under {@code key}, matching case as Go does; a missing node when absent. */
    private static JsonNode field(JsonNode node, String key) {
        if (node == null || !node.isObject()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(key)) {
                return e.getValue();
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw badRequest("not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String name(RoutingContext rc) {
        return rc.pathParam("name");
    }

    private static String type(RoutingContext rc) {
        return rc.pathParam("type");
    }

    private static String text(RoutingContext rc) {
        return rc.body() == null ? null : rc.body().asString();
    }

    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    // --- replies and errors ---

    /** A request that cannot be answered: its status and message (and each problem for bad input). */
    static final class ApiError extends RuntimeException {
        private final int status;
        private final List<String> problems;

        ApiError(int status, String message, List<String> problems) {
            super(message, null, false, false);
            this.status = status;
            this.problems = List.copyOf(problems);
        }
    }

    private static ApiError notFound(String what, String name, List<String> known) {
        return new ApiError(404, what + " " + quoted(name) + " not found (known: "
                + (known.isEmpty() ? "none" : String.join(", ", known)) + ")", List.of());
    }

    private static ApiError badRequest(String message) {
        return new ApiError(400, message, List.of(message));
    }

    private Handler<RoutingContext> quick(Function<RoutingContext, Object> work) {
        return rc -> {
            Object out;
            try {
                out = work.apply(rc);
            } catch (RuntimeException e) {
                fail(rc, e);
                return;
            }
            send(rc, 200, out);
        };
    }

    private static ObjectNode message(String text) {
        ObjectNode o = InfernoJson.object();
        o.put("message", text);
        return o;
    }

    private void fail(RoutingContext rc, Throwable e) {
        int status;
        ObjectNode body;
        switch (e) {
            case ApiError api -> {
                status = api.status;
                body = message(api.getMessage());
                if (!api.problems.isEmpty()) {
                    body.set("problems", JSON.valueToTree(api.problems));
                }
            }
            case PlannerInputException bad -> {
                status = 400;
                body = message(bad.getMessage());
                body.set("problems", JSON.valueToTree(bad.problems()));
            }
            case IllegalArgumentException bad -> {
                status = 400;
                body = message(bad.getMessage());
            }
            default -> {
                status = 500;
                body = message("the planner failed: " + e);
            }
        }
        send(rc, status, body);
    }

    private void failure(RoutingContext rc) {
        if (rc.statusCode() == 413) {
            send(rc, 413, message("request body larger than " + MAX_BODY_BYTES + " bytes"));
        } else if (rc.failure() != null && !(rc.failure() instanceof io.vertx.ext.web.handler.HttpException)) {
            fail(rc, rc.failure());
        } else {
            send(rc, rc.statusCode() < 400 ? 500 : rc.statusCode(), message("request failed with status "
                    + rc.statusCode()));
        }
    }

    private static void send(RoutingContext rc, int status, Object body) {
        if (rc.response().ended()) {
            return;
        }
        String text;
        try {
            text = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            status = 500;
            text = "{\"message\": \"cannot write the answer: " + e.getOriginalMessage().replace("\"", "'") + "\"}";
        }
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(text + "\n");
    }
}
