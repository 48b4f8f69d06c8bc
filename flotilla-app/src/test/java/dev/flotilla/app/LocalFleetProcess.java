package dev.flotilla.app;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code flotilla up} run from the packaged jar as a real child process, as a user runs it; the
 * test reads the URLs and process ids it prints.
 */
final class LocalFleetProcess implements AutoCloseable {
    private static final Pattern GATEWAY = Pattern.compile("Gateway \\(OpenAI API\\): (http://\\S+)/v1 .*pid (\\d+)");
    private static final Pattern NODE = Pattern.compile("^\\s{4}(\\S+)\\s+.+?\\s+(http://\\S+)\\s+pid (\\d+)$");
    private static final Pattern SUPERVISOR = Pattern.compile("Supervisor: (http://\\S+)/status ");

    record Node(String name, String url, long pid) {
    }

    final Process process;
    final List<String> output = new CopyOnWriteArrayList<>();
    String gatewayUrl;
    long gatewayPid;
    /** The supervisor's base URL ({@code /status}, {@code /metrics}). */
    String supervisorUrl;
    final Map<String, Node> nodes = new LinkedHashMap<>();

    private LocalFleetProcess(Process process) {
        this.process = process;
    }

    static Path jar() {
        String jar = System.getProperty("flotilla.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the runnable jar is missing (system property flotilla.jar = " + jar
                    + "); run the tests with './mvnw verify' so that the package phase builds it first");
        }
        return Path.of(jar);
    }

    static Path model() {
        Path model = Path.of(System.getProperty("flotilla.shared", "../shared"), "models", "stories260K.gguf");
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException("the test model is missing: " + model.toAbsolutePath()
                    + " (the checkout needs ../shared/models/stories260K.gguf beside it)");
        }
        return model;
    }

    static LocalFleetProcess start(String... upArgs) throws IOException {
        return start(Map.of(), upArgs);
    }

    /** As {@link #start(String...)} with variables added to the environment {@code up} and its children inherit. */
    static LocalFleetProcess start(Map<String, String> env, String... upArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString(), "up"));
        command.addAll(List.of(upArgs));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        LocalFleetProcess fleet = new LocalFleetProcess(p);
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    fleet.output.add(line);
                    fleet.parse(line);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100))
                .failFast("flotilla up exited", () -> !p.isAlive())
                .until(() -> fleet.output.contains("Flotilla is up.") && fleet.output.stream()
                        .anyMatch(l -> l.contains("Ctrl-C stops everything")));
        return fleet;
    }

    private synchronized void parse(String line) {
        Matcher g = GATEWAY.matcher(line);
        if (g.find()) {
            gatewayUrl = g.group(1);
            gatewayPid = Long.parseLong(g.group(2));
            return;
        }
        Matcher sup = SUPERVISOR.matcher(line);
        if (sup.find()) {
            supervisorUrl = sup.group(1);
            return;
        }
        Matcher n = NODE.matcher(line);
        if (n.find()) {
            nodes.put(n.group(1), new Node(n.group(1), n.group(2), Long.parseLong(n.group(3))));
        }
    }

    String log() {
        return String.join("\n", output);
    }

    @Override
    public void close() {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also stop our reading of its output
        await().atMost(Duration.ofSeconds(30)).until(() -> !process.isAlive());
    }
}
