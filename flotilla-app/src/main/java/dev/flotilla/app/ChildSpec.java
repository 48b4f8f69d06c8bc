package dev.flotilla.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One child process of {@code flotilla up}: {@code flotilla <args>} with JVM options and extra
 * environment. A restarted child must come back where the gateway (or the clients) knew it, so
 * {@link #onPort} pins the port it first bound.
 *
 * @param name       the child's name (the node name, or "gateway"), its label in logs and metrics
 * @param role       node or gateway: how the port is pinned, and the order of stopping
 * @param kind       what it runs, for people ("llama.cpp", "simulated H100", "gateway")
 * @param jvmOptions options for the child's JVM
 * @param args       the {@code flotilla} subcommand and its options
 * @param env        variables added to the inherited environment
 */
record ChildSpec(String name, Role role, String kind, List<String> jvmOptions, List<String> args,
                 Map<String, String> env) {

    /** Nodes are stopped after the gateway, so that it can drain the streams they serve. */
    enum Role {
        NODE, GATEWAY;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    ChildSpec {
        jvmOptions = List.copyOf(jvmOptions);
        args = List.copyOf(args);
        env = Map.copyOf(env);
    }

    /**
     * The same child on a fixed port: a node gets {@code --port N} in place of its {@code --port}
     * value; the gateway gets {@code FLOTILLA_LISTEN_PORT=N}, which overrides its YAML file.
     */
    ChildSpec onPort(int port) {
        return switch (role) {
            case NODE -> {
                List<String> a = new ArrayList<>(args);
                int i = a.indexOf("--port");
                if (i < 0 || i + 1 >= a.size()) {
                    a.addAll(List.of("--port", Integer.toString(port)));
                } else {
                    a.set(i + 1, Integer.toString(port));
                }
                yield new ChildSpec(name, role, kind, jvmOptions, a, env);
            }
            case GATEWAY -> {
                Map<String, String> e = new LinkedHashMap<>(env);
                e.put("FLOTILLA_LISTEN_PORT", Integer.toString(port));
                yield new ChildSpec(name, role, kind, jvmOptions, args, e);
            }
        };
    }
}
