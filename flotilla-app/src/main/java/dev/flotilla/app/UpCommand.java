package dev.flotilla.app;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code flotilla up}: a gateway and a local fleet on this machine, each a separate child process on
 * its own loopback port, so that a node killed with {@code kill -9} takes nothing else down.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts a gateway and a local fleet (llama.cpp nodes on --model, simulated-GPU nodes) as child "
                + "processes on 127.0.0.1 and prints their URLs. Ctrl-C stops everything."})
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

    @Option(names = "--port", description = "Gateway port on 127.0.0.1, 0 for any free one (default: ${DEFAULT-VALUE}).",
            defaultValue = "8080")
    int port;

    @Option(names = "--parent-pid", hidden = true)
    Long parentPid;

    /** How long {@code up} waits for the gateway's first checks to put every node in rotation. */
    private static final java.time.Duration FLEET_UP_TIMEOUT = java.time.Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        validate();
        Path runDir = Files.createTempDirectory("flotilla-up-");
        ChildProcesses fleet = new ChildProcesses(out);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            fleet.close();
            deleteRecursively(runDir);
        }, "flotilla-up-stop"));
        Lifecycle.exitWithParent(parentPid);

        List<Started> nodes = new ArrayList<>();
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
            var child = fleet.start(name, List.of("-Xmx256m", "-Dde.kherud.llama.tmpdir=" + nativeDir), args,
                    READY_TIMEOUT);
            nodes.add(new Started(child, "llama.cpp"));
        }
        for (int i = 1; i <= simNodes; i++) {
            String profile = profiles.get((i - 1) % profiles.size());
            String name = "sim-" + profile.toLowerCase(Locale.ROOT) + "-" + i;
            var child = fleet.start(name, List.of("-Xmx256m"), List.of("node", "--name", name, "--port", "0",
                    "--profile", profile, "--model-name", simModel), READY_TIMEOUT);
            nodes.add(new Started(child, "simulated " + profile));
        }

        Path config = runDir.resolve("gateway.yaml");
        Files.writeString(config, gatewayYaml(nodes));
        ChildProcesses.Child gateway;
        try {
            gateway = fleet.start("gateway", List.of("-Xmx512m"), List.of("gateway", "--config", config.toString()),
                    READY_TIMEOUT);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + "\n(with flotilla up, choose the gateway's port with "
                    + "--port N, or --port 0 for any free port)", e);
        }
        List<String> notUp = awaitFleetInRotation(gateway.url(), nodes.size(), FLEET_UP_TIMEOUT);
        if (!notUp.isEmpty()) {
            out.println("Not in rotation yet after " + FLEET_UP_TIMEOUT.toSeconds() + " s (the gateway keeps checking): "
                    + String.join(", ", notUp));
        }
        printSummary(out, gateway, nodes);

        int code = gateway.process().waitFor();
        if (fleet.closing()) {
            return 0; // Ctrl-C: the shutdown hook stops the fleet
        }
        out.println("The gateway exited (code " + code + "); stopping the fleet.");
        return 1;
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
        if (!problems.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), String.join("\n", problems));
        }
    }

    private String gatewayYaml(List<Started> nodes) {
        StringBuilder y = new StringBuilder();
        // one event loop: on this machine the gateway shares the cores with the nodes (measured
        // in docs/benchmarks.md: fewer loops gave more throughput on 2 cores)
        y.append("listen:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  eventLoops: 1\n");
        y.append("health:\n  interval: 1s\n  timeout: 2s\n");
        y.append("nodes:\n");
        for (Started n : nodes) {
            y.append("  - name: ").append(n.child().name()).append('\n');
            y.append("    url: ").append(n.child().url()).append('\n');
        }
        return y.toString();
    }

    /**
     * Waits until the gateway has every node in rotation (its first checks passed), so that the
     * URL printed next serves at once; returns the nodes still out at the deadline, if any.
     */
    static List<String> awaitFleetInRotation(String gatewayUrl, int expected, java.time.Duration timeout)
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
                List<String> down = new ArrayList<>();
                var list = body.getJsonArray("nodes");
                for (int i = 0; i < list.size(); i++) {
                    if (!list.getJsonObject(i).getBoolean("up", false)) {
                        down.add(list.getJsonObject(i).getString("name"));
                    }
                }
                if (down.isEmpty() && list.size() == expected) {
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

    private void printSummary(PrintStream out, ChildProcesses.Child gateway, List<Started> nodes) {
        String api = gateway.url();
        out.println();
        out.println("Flotilla is up.");
        out.println("  Gateway (OpenAI API): " + api + "/v1    metrics: " + api + "/metrics    pid " + gateway.pid());
        out.println("  Nodes:");
        for (Started n : nodes) {
            out.printf("    %-14s %-18s %s    pid %d%n", n.child().name(), n.kind(), n.child().url(), n.child().pid());
        }
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

    private record Started(ChildProcesses.Child child, String kind) {
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover temp dir is harmless; the shutdown must go on
        }
    }
}
