package dev.flotilla.app;

import dev.flotilla.planner.api.PlannerServer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flotilla planner}: the capacity planner as a service. */
@Command(name = "planner", mixinStandardHelpOptions = true, subcommands = PlannerCommand.Serve.class,
        description = "The capacity planner as a service (see flotilla planner serve --help; flotilla plan plans a file).")
final class PlannerCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * {@code flotilla planner serve}: Inferno's optimizer REST API ({@code /optimizeOne}, the stateful
     * routes, {@code /optimize}, {@code /applyAllocation}) on its own port, so an Inferno control
     * loop can point at Flotilla. The gateway serves the same API under {@code /planner}.
     */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve Inferno's optimizer REST API (POST /optimizeOne, the stateful set/get/add/remove "
                    + "routes, POST /optimize, GET /applyAllocation). See docs/planner.md, \"REST API\".",
                    "Example: flotilla planner serve --port 8090, then curl -s localhost:8090/optimizeOne "
                            + "-d @../shared/testdata/inferno/inferno-v1-small-sampledata-849e1e8/system-data.json"})
    static final class Serve implements Callable<Integer> {

        @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
                description = "Address to listen on (default: ${DEFAULT-VALUE}; the API has no authentication).")
        String host;

        @Option(names = "--port", paramLabel = "N", defaultValue = "8090",
                description = "Port (default: ${DEFAULT-VALUE}; 0 for any free port).")
        int port;

        @Option(names = "--parent-pid", hidden = true)
        Long parentPid;

        @Override
        public Integer call() {
            Lifecycle.exitWithParent(parentPid);
            PlannerServer server = PlannerServer.start(host, port);
            Lifecycle.announceReady(parentPid, "planner", "API", server.url().toString());
            Lifecycle.runUntilShutdown(server);
            return 0;
        }
    }
}
