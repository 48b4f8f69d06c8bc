package dev.flotilla.app;

import dev.flotilla.engine.sim.AcceleratorProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flotilla up}: a gateway and a local fleet on this machine, each a separate child process on
 * its own loopback port, so that a node killed with {@code kill -9} takes nothing else down. A
 * {@link Supervisor} restarts a child that exits, on the port it had, and leaves one that keeps
 * crashing down; its status and metrics are served on the supervisor port. Ctrl-C drains the
 * gateway first, then stops the nodes.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts a gateway and a local fleet (llama.cpp nodes on --model, simulated-GPU nodes) as child "
                + "processes on 127.0.0.1 and prints their URLs. A child that exits is restarted on its port. "
                + "Ctrl-C stops everything (the gateway first lets streams in flight finish)."})
final class UpCommand implements Callable<Integer> {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model file for the llama.cpp nodes.")
    Path model;

    @Option(names = "--model-name", description = "Model name clients use (default: the file name without .gguf).")
    String modelName;

    @Option(names = "--llama-nodes", description = "llama.cpp nodes on --model (default: ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int llamaNodes;

    @Option(names = "--slots", description = "Parallel slots per llama.cpp node (default: ${DEFAULT-VALUE}).",
            defaultValue = "4")
    int slots;

    @Option(names = "--ctx-per-slot", description = "Context tokens per slot of a llama.cpp node (default: ${DEFAULT-VALUE}).",
            defaultValue = "512")
    int ctxPerSlot;

    @Option(names = "--sim-nodes", description = "Simulated-GPU nodes (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int simNodes;

    @Option(names = "--profiles", split = ",", description = "Accelerator profiles of the simulated nodes, used in turn "
            + "(default: ${DEFAULT-VALUE}).", defaultValue = "H100,L4")
    List<String> profiles;

    @Option(names = "--sim-model", description = "Model name the simulated nodes serve (default: ${DEFAULT-VALUE}).",
            defaultValue = NodeCommand.DEFAULT_SIM_MODEL)
    String simModel;

    @Option(names = "--policy", paramLabel = "PROFILE", description = "The gateway's scheduling profile: "
            + "flotilla, least-requests, round-robin, inferops, llmd-default or sglang-cache-aware "
            + "(docs/scheduling.md; default: the gateway's default).")
    String policy;

    @Option(names = "--config", paramLabel = "FILE", description = "A gateway YAML config (docs/configuration.md) "
            + "for the fleet's gateway: its dispatch, scheduling, models, health, telemetry and other sections apply, "
            + "and nodes it lists are routed to besides the local ones; listen.host, listen.port and "
            + "listen.shutdownGrace come from this command's options. Read once, at start.")
    Path config;

    @Option(names = "--port", description = "Gateway port on 127.0.0.1, 0 for any free one (default: ${DEFAULT-VALUE}).",
            defaultValue = "8080")
    int port;

    @Option(names = "--max-restarts", defaultValue = "" + RestartPolicy.DEFAULT_MAX_RESTARTS, description = "A child "
            + "(node or gateway) that exits is restarted on its port with backoff (0.5 s doubling to 30 s); one that "
            + "exits more than this many times within --restart-window is left down and reported; 0 never restarts "
            + "(default: ${DEFAULT-VALUE}).")
    int maxRestarts;

    @Option(names = "--restart-window", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "The window --max-restarts counts exits in (default: ${DEFAULT-VALUE}).")
    Duration restartWindow;

    @Option(names = "--supervisor-port", paramLabel = "PORT", description = "Port of the supervisor's GET /status and "
            + "GET /metrics on 127.0.0.1 (default: --port + 1, or any free port when --port is 0).")
    Integer supervisorPort;

    @Option(names = "--shutdown-grace", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "On Ctrl-C the gateway stops taking connections and lets streams in flight finish for up to "
                    + "this long before the nodes stop (default: ${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--parent-pid", hidden = true)
    Long parentPid;

    /** How long {@code up} waits for the gateway's first checks to put every node in rotation. */
    private static final Duration FLEET_UP_TIMEOUT = Duration.ofSeconds(30);
    /** What the gateway gets beyond its grace to stop before it is killed. */
    private static final Duration GATEWAY_STOP_MARGIN = Duration.ofSeconds(10);
    private static final String HOST = "127.0.0.1";

    /** The accelerator of each simulated node, by node name (declared to the gateway as the node's facts). */
    private final Map<String, AcceleratorProfile> simulatedProfiles = new java.util.HashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        validate();
        Path runDir = Files.createTempDirectory("flotilla-up-");
        ChildProcesses processes = new ChildProcesses(out, READY_TIMEOUT, shutdownGrace.plus(GATEWAY_STOP_MARGIN));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("flotilla-up-restarts").factory());
        ExecutorService launches = Executors.newVirtualThreadPerTaskExecutor();
        Clock clock = Clock.systemUTC();
        Supervisor supervisor = new Supervisor(processes, RestartPolicy.of(maxRestarts, restartWindow),
                clock, (delay, task) -> timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                launches, out);
        SupervisorServer status = SupervisorServer.start(HOST, effectiveSupervisorPort(), supervisor::status);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            supervisor.close(); // first: the exits that follow are ours, not crashes
            timer.shutdownNow();
            processes.close();
            launches.shutdownNow();
            status.close();
            deleteRecursively(runDir);
        }, "flotilla-up-stop"));
        Lifecycle.exitWithParent(parentPid);

        List<Supervisor.Supervised> nodes = new ArrayList<>();
        int llama = model == null ? 0 : llamaNodes;
        for (int i = 1; i <= llama; i++) {
            String name = "llama-" + i;
            List<String> args = new ArrayList<>(List.of("node", "--name", name, "--port", "0",
                    "--model", model.toAbsolutePath().toString(), "--slots", Integer.toString(slots),
                    "--ctx-per-slot", Integer.toString(ctxPerSlot)));
            if (modelName != null) {
                args.addAll(List.of("--model-name", modelName));
            }
            Path nativeDir = Files.createDirectories(runDir.resolve("native-" + name));
            ChildSpec spec = new ChildSpec(name, ChildSpec.Role.NODE, "llama.cpp",
                    List.of("-Xmx256m", "-Dde.kherud.llama.tmpdir=" + nativeDir), args, Map.of());
            nodes.add(startSupervised(supervisor, processes, clock, spec));
        }
        for (int i = 1; i <= simNodes; i++) {
            String profile = profiles.get((i - 1) % profiles.size());
            String name = simNodeName(i);
            simulatedProfiles.put(name, AcceleratorProfile.named(profile));
            ChildSpec spec = new ChildSpec(name, ChildSpec.Role.NODE, "simulated " + profile, List.of("-Xmx256m"),
                    List.of("node", "--name", name, "--port", "0", "--profile", profile, "--model-name", simModel),
                    Map.of());
            nodes.add(startSupervised(supervisor, processes, clock, spec));
        }

        Path gatewayConfig = runDir.resolve("gateway.yaml");
        Files.writeString(gatewayConfig, config == null ? gatewayYaml(nodes)
                : UpGatewayConfig.merge(Files.readString(config), gatewayYaml(nodes)));
        Supervisor.Supervised gateway;
        try {
            gateway = startSupervised(supervisor, processes, clock, new ChildSpec("gateway", ChildSpec.Role.GATEWAY,
                    "gateway", List.of("-Xmx512m"), List.of("gateway", "--config", gatewayConfig.toString()), Map.of()));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n(with flotilla up, choose the gateway's port with "
                    + "--port N, or --port 0 for any free port)", e);
        }
        String gatewayUrl = gateway.status().url();
        List<String> notUp = awaitFleetInRotation(gatewayUrl, nodes.stream().map(Supervisor.Supervised::name).toList(),
                FLEET_UP_TIMEOUT);
        if (!notUp.isEmpty()) {
            out.println("Not in rotation yet after " + FLEET_UP_TIMEOUT.toSeconds() + " s (the gateway keeps checking): "
                    + String.join(", ", notUp));
        }
        printSummary(out, gateway.status(), nodes, status.url());

        gateway.givenUp().join(); // Ctrl-C ends the process from the shutdown hook while this waits
        out.println("The gateway kept crashing and was left down; stopping the fleet.");
        return 1;
    }

    /** Starts a child (a start-up failure ends {@code up}: it is the user's to fix) and supervises it from then on. */
    private static Supervisor.Supervised startSupervised(Supervisor supervisor, ChildProcesses processes, Clock clock,
                                                         ChildSpec spec) {
        Instant startedAt = clock.instant();
        return supervisor.supervise(spec, processes.start(spec), startedAt);
    }

    /** The supervisor's port: --supervisor-port, else the gateway's + 1, else (port 0, or 65535) any. */
    int effectiveSupervisorPort() {
        if (supervisorPort != null) {
            return supervisorPort;
        }
        return port == 0 || port == 65535 ? 0 : port + 1;
    }

    private void validate() {
        List<String> problems = new ArrayList<>();
        if (model != null && !Files.isRegularFile(model)) {
            problems.add("--model: " + model + " (no such file)");
        }
        if (llamaNodes < 0 || simNodes < 0) {
            problems.add("--llama-nodes/--sim-nodes: " + llamaNodes + "/" + simNodes + " (expected >= 0)");
        }
        if (model != null && llamaNodes == 0 && simNodes == 0 || model == null && simNodes == 0) {
            problems.add("--sim-nodes: 0 and no llama.cpp nodes (expected at least one node)");
        }
        if (port < 0 || port > 65535) {
            problems.add("--port: " + port + " (expected 0..65535)");
        }
        if (profiles.isEmpty()) {
            problems.add("--profiles: empty (expected at least one profile name)");
        }
        for (String profile : profiles) {
            try {
                AcceleratorProfile.named(profile);
            } catch (IllegalArgumentException e) {
                problems.add("--profiles: " + e.getMessage());
            }
        }
        if (policy != null) {
            try {
                dev.flotilla.gateway.scheduling.Scheduler.of(dev.flotilla.gateway.scheduling.SchedulingPlugins.builtIn(),
                        policy);
            } catch (IllegalArgumentException e) {
                problems.add("--policy: " + e.getMessage());
            }
        }
        if (maxRestarts < 0 || maxRestarts > RestartPolicy.MAX_RESTARTS_LIMIT) {
            problems.add("--max-restarts: " + maxRestarts + " (expected 0 to " + RestartPolicy.MAX_RESTARTS_LIMIT
                    + "; 0 never restarts)");
        }
        if (restartWindow.isZero() || restartWindow.compareTo(Duration.ofDays(1)) > 0) {
            problems.add("--restart-window: " + DurationConverter.yaml(restartWindow) + " (expected 1ms to 24h)");
        }
        if (supervisorPort != null && (supervisorPort < 0 || supervisorPort > 65535)) {
            problems.add("--supervisor-port: " + supervisorPort + " (expected 0..65535)");
        }
        if (supervisorPort != null && supervisorPort != 0 && supervisorPort == port) {
            problems.add("--supervisor-port: " + supervisorPort + " (expected a port other than the gateway's --port)");
        }
        if (shutdownGrace.compareTo(Duration.ofHours(1)) > 0) {
            problems.add("--shutdown-grace: " + DurationConverter.yaml(shutdownGrace) + " (expected 0s to 1h)");
        }
        if (config != null) {
            String problem = UpGatewayConfig.check(config, localNodeNames(), System.getenv());
            if (problem != null) {
                problems.add("--config " + config + ": " + problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
    }

    /** The names the local nodes will have, in the order they start (llama.cpp, then simulated). */
    private List<String> localNodeNames() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= (model == null ? 0 : llamaNodes); i++) {
            names.add("llama-" + i);
        }
        for (int i = 1; i <= simNodes && !profiles.isEmpty(); i++) {
            names.add(simNodeName(i));
        }
        return names;
    }

    private String simNodeName(int i) {
        return "sim-" + profiles.get((i - 1) % profiles.size()).toLowerCase(Locale.ROOT) + "-" + i;
    }

    private String gatewayYaml(List<Supervisor.Supervised> nodes) {
        StringBuilder y = new StringBuilder();
        // one event loop: on this machine the gateway shares the cores with the nodes (measured
        // in docs/benchmarks.md: fewer loops gave more throughput on 2 cores)
        y.append("listen:\n  host: ").append(HOST).append("\n  port: ").append(port).append("\n  eventLoops: 1\n");
        y.append("  shutdownGrace: ").append(DurationConverter.yaml(shutdownGrace)).append('\n');
        y.append("health:\n  interval: 1s\n  timeout: 2s\n");
        if (policy != null) {
            y.append("routing:\n  policy: ").append(policy).append('\n');
        }
        y.append("nodes:\n");
        for (Supervisor.Supervised n : nodes) {
            y.append("  - name: ").append(n.name()).append('\n');
            y.append("    url: ").append(n.status().url()).append('\n');
            AcceleratorProfile accelerator = simulatedProfiles.get(n.name());
            if (accelerator != null) {
                y.append(hardwareYaml(accelerator));
            }
        }
        return y.toString();
    }

    /**
     * A simulated node's hardware facts in the gateway's node entry: the facts scorers read (InferOps'
     * static factors, latency priors), as a real deployment would declare them for its GPUs. A
     * profile without a figure (the zero-delay profile has no memory or TFLOPS) leaves it unknown,
     * which is what the gateway's configuration means by an absent key.
     */
    static String hardwareYaml(AcceleratorProfile accelerator) {
        StringBuilder y = new StringBuilder("    accelerator: ").append(accelerator.name()).append('\n');
        if (Math.round(accelerator.memoryGb()) > 0) {
            y.append("    memoryGb: ").append(Math.round(accelerator.memoryGb())).append('\n');
        }
        if (accelerator.tflopsBf16() > 0) {
            y.append("    tflops: ").append(accelerator.tflopsBf16()).append('\n');
        }
        return y.toString();
    }

    /**
     * Waits until the gateway has every local node in rotation (its first checks passed), so that the
     * URL printed next serves at once; returns the nodes still out at the deadline, if any.
     */
    static List<String> awaitFleetInRotation(String gatewayUrl, List<String> local, java.time.Duration timeout)
            throws InterruptedException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(2)).build();
        java.net.http.HttpRequest fleet = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(gatewayUrl + "/admin/fleet")).timeout(java.time.Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> notUp = List.of("(no answer from the gateway yet)");
        while (System.nanoTime() < deadline) {
            try {
                var body = new io.vertx.core.json.JsonObject(http.send(fleet,
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body());
                // only the local nodes: those of a --config file are not this command's to wait for
                List<String> down = new ArrayList<>(local);
                var list = body.getJsonArray("nodes");
                for (int i = 0; i < list.size(); i++) {
                    if (list.getJsonObject(i).getBoolean("up", false)) {
                        down.remove(list.getJsonObject(i).getString("name"));
                    }
                }
                if (down.isEmpty()) {
                    return List.of();
                }
                notUp = down;
            } catch (java.io.IOException | RuntimeException e) {
                notUp = List.of("(gateway: " + e.getMessage() + ")");
            }
            Thread.sleep(100); // a poll interval in a command's start-up, not a test
        }
        return notUp;
    }

    private void printSummary(PrintStream out, Supervisor.ChildStatus gateway, List<Supervisor.Supervised> nodes,
                              String supervisorUrl) {
        String api = gateway.url();
        out.println();
        out.println("Flotilla is up.");
        out.println("  Gateway (OpenAI API): " + api + "/v1    metrics: " + api + "/metrics    pid " + gateway.pid());
        out.println("  Nodes:");
        for (Supervisor.Supervised n : nodes) {
            Supervisor.ChildStatus s = n.status();
            out.printf("    %-14s %-18s %s    pid %s%n", s.name(), n.spec().kind(), s.url(),
                    s.pid() == null ? "- (" + s.state() + ")" : s.pid());
        }
        out.println("  Supervisor: " + supervisorUrl + "/status    metrics: " + supervisorUrl + "/metrics    (a child"
                + " that exits is restarted on its port; more than " + maxRestarts + " exits within "
                + Supervisor.human(restartWindow) + " leave it down)");
        String example = model != null ? (modelName != null ? modelName : NodeCommand.defaultModelName(model))
                : simModel;
        out.println("  Try:");
        out.println("    curl -N " + api + "/v1/chat/completions -H 'content-type: application/json' -d '{\"model\":\""
                + example + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}'");
        if (model == null) {
            out.println("  No --model given: every node is a simulated GPU (generated text is deterministic filler,"
                    + " not a model's).");
            out.println("  To serve a real model: ./flotilla up --model path/to/model.gguf");
        }
        out.println("  Ctrl-C stops everything.");
        out.println();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp dir is harmless; the shutdown must go on
        }
    }
}
