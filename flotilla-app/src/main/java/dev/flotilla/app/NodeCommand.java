package dev.flotilla.app;

import dev.flotilla.engine.Engine;
import dev.flotilla.engine.llama.GgufFile;
import dev.flotilla.engine.llama.LlamaConfig;
import dev.flotilla.engine.llama.LlamaEngine;
import dev.flotilla.engine.server.NodeServer;
import dev.flotilla.engine.server.NodeServerConfig;
import dev.flotilla.engine.sim.AcceleratorProfile;
import dev.flotilla.engine.sim.SimulatedEngine;
import dev.flotilla.engine.telemetry.GpuTelemetry;
import dev.flotilla.engine.telemetry.HostTelemetry;
import dev.flotilla.engine.telemetry.NodeTelemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code flotilla node}: one inference node, either llama.cpp on a GGUF file ({@code --model}) or a
 * simulated GPU ({@code --profile}), serving the OpenAI API, {@code /health}, {@code /node/info}
 * and {@code /metrics}.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Runs one inference node: llama.cpp on --model FILE, or a simulated GPU with --profile NAME.")
final class NodeCommand implements Callable<Integer> {
    static final String DEFAULT_SIM_MODEL = "sim-llama-2-7b";

    @Spec
    CommandSpec spec;

    @Option(names = "--name", description = "Node name (default: llama or sim-<profile>).")
    String name;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Listen address (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Listen port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--model", paramLabel = "FILE", description = "GGUF model file: runs llama.cpp.")
    Path model;

    @Option(names = "--model-name", description = "Model name clients use (default: the GGUF file name without "
            + ".gguf, or " + DEFAULT_SIM_MODEL + " for a simulated node).")
    String modelName;

    @Option(names = "--slots", defaultValue = "4", description = "llama.cpp parallel slots (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(names = "--ctx-per-slot", defaultValue = "512",
            description = "llama.cpp context tokens per slot, prompt and output (default: ${DEFAULT-VALUE}).")
    int ctxPerSlot;

    @Option(names = "--threads", defaultValue = "1", description = "llama.cpp threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--eos-token-id", defaultValue = "auto", description = "End-of-text token for llama.cpp: a token "
            + "id, 'none' (the file's EOS), or 'auto' (default): a model without a chat template ends its text at "
            + "its BOS token, as llama2.c story models do, else the file's EOS.")
    String eosTokenId;

    @Option(names = "--profile", description = "Simulated accelerator profile: H100, A100-80G, L40S, L4, T4 or zero.")
    String profile;

    @Option(names = "--gpu-telemetry", defaultValue = "auto", paramLabel = "SOURCE", description = "Where GPU "
            + "figures come from: auto (default: modelled for a simulated node, else nvidia-smi when on PATH, else "
            + "none), none, nvidia-smi, simulated, or a DCGM exporter URL (http://host:9400/metrics).")
    String gpuTelemetry;

    @Option(names = "--replicas", defaultValue = "1", description = "Simulated nodes in this process (with --profile "
            + "only): replica i listens on --port + i (any free port when --port is 0) and is named <name>-<i>; a "
            + "test fleet of many nodes without one JVM each (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--fault", paramLabel = "MODE", description = "Misbehave on purpose, for chaos tests: answer every "
            + "inference request with http-500, malformed-sse (streams: events that are not JSON, no [DONE]) or "
            + "close-mid-header (half a response header, then the connection closes). /health, /v1/models and "
            + "/metrics stay correct, so the node stays in a gateway's rotation.")
    String fault;

    @Option(names = "--parent-pid", hidden = true)
    Long parentPid;

    @Override
    public Integer call() {
        if ((model == null) == (profile == null)) {
            throw new ParameterException(spec.commandLine(), model == null
                    ? "give --model FILE (llama.cpp) or --profile NAME (simulated GPU: " + profileNames() + ")"
                    : "--model and --profile exclude each other: a node runs one engine");
        }
        if (replicas < 1 || replicas > 1024) {
            throw new ParameterException(spec.commandLine(), "--replicas: " + replicas + " (expected 1 to 1024)");
        }
        if (replicas > 1 && model != null) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas
                    + ": only simulated nodes (--profile) run several in one process; a llama.cpp node owns its cores");
        }
        if (replicas > 1 && port != 0 && port + replicas - 1 > 65535) {
            throw new ParameterException(spec.commandLine(), "--replicas " + replicas + " from --port " + port
                    + " runs past port 65535");
        }
        FaultFront.Mode faultMode = null;
        if (fault != null) {
            try {
                faultMode = FaultFront.Mode.parse(fault);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        Lifecycle.exitWithParent(parentPid);
        Clock clock = Clock.systemUTC();
        String baseName = name != null ? name
                : model != null ? "llama" : "sim-" + profile.toLowerCase(Locale.ROOT);
        // one host probe for every replica: they share the host, and each OSHI probe costs a sampling thread's work
        HostTelemetry hostTelemetry = HostTelemetry.oshi(clock);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            for (int i = 0; i < replicas; i++) {
                String nodeName = replicas == 1 ? baseName : baseName + "-" + i;
                int nodePort = replicas == 1 || port == 0 ? port : port + i;
                Engine engine = model != null ? llama(clock) : simulated();
                open.add(engine);
                NodeTelemetry telemetry = new NodeTelemetry(hostTelemetry, GpuTelemetry.fromSetting(gpuTelemetry, engine, clock));
                // with a fault, the node itself listens on a loopback port of its own behind the faulty front
                NodeServer server = NodeServer.start(faultMode == null
                        ? new NodeServerConfig(nodeName, this.host, nodePort, 1)
                        : new NodeServerConfig(nodeName, "127.0.0.1", 0, 1), engine, clock, telemetry);
                open.add(open.size() - 1, server);
                String url = server.url();
                if (faultMode != null) {
                    FaultFront front = FaultFront.start(faultMode, this.host, nodePort, "127.0.0.1", server.port());
                    open.add(open.size() - 2, front);
                    String shownHost = this.host.contains(":") ? "[" + this.host + "]" : this.host;
                    url = "http://" + shownHost + ":" + front.port();
                    System.out.println("node " + nodeName + ": FAULT " + faultMode.option + " on every inference request");
                }
                Lifecycle.announceReady(parentPid, "node", nodeName, url);
            }
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
        Lifecycle.runUntilShutdown(open.toArray(AutoCloseable[]::new));
        return 0;
    }

    /** Closes fronts and servers before their engines (the list keeps each server just before its engine). */
    private static void closeAll(List<AutoCloseable> open) {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception suppressed) {
                // already failing: the start error is the one to report
            }
        }
    }

    private Engine llama(Clock clock) {
        GgufFile gguf = GgufFile.read(model);
        LlamaConfig config = LlamaConfig.of(model).withModelName(modelName).withSlots(slots)
                .withCtxPerSlot(ctxPerSlot).withThreads(threads).withEosTokenOverride(eosOverride(gguf));
        return LlamaEngine.load(config, clock);
    }

    private Integer eosOverride(GgufFile gguf) {
        return switch (eosTokenId.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "auto" -> gguf.chatTemplate().isPresent() ? null
                    : gguf.integer("tokenizer.ggml.bos_token_id").stream().mapToObj(id -> (int) id).findFirst()
                            .orElse(null);
            default -> {
                try {
                    yield Integer.parseInt(eosTokenId);
                } catch (NumberFormatException e) {
                    throw new ParameterException(spec.commandLine(), "--eos-token-id: '" + eosTokenId
                            + "' (expected a token id, 'auto' or 'none')");
                }
            }
        };
    }

    private Engine simulated() {
        AcceleratorProfile p = AcceleratorProfile.named(profile);
        return SimulatedEngine.realTime(modelName != null ? modelName : DEFAULT_SIM_MODEL, p);
    }

    private static String profileNames() {
        return String.join(", ", AcceleratorProfile.builtIns().stream().map(AcceleratorProfile::name).toList());
    }

    static String defaultModelName(Path model) {
        String file = model.getFileName().toString();
        return file.toLowerCase(Locale.ROOT).endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }
}
