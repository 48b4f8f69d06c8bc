package dev.flotilla.app;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.api.MountedApi;
import dev.flotilla.gateway.config.GatewayConfig;
import dev.flotilla.planner.api.PlannerApi;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla gateway}: the OpenAI endpoint in front of the nodes listed in a YAML file
 * (environment variables {@code FLOTILLA_...} override it; see docs/configuration.md). Edits of the
 * file's nodes are applied while it runs; other sections need a restart. The capacity planner's
 * Inferno-compatible API is served under {@code /planner} (loopback only).
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = "Runs the gateway over the nodes of a YAML config (FLOTILLA_* environment variables override it).")
final class GatewayCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "Gateway YAML config (default: none; the defaults and FLOTILLA_* variables).")
    Path config;

    @Option(names = "--parent-pid", hidden = true)
    Long parentPid;

    @Override
    public Integer call() {
        Lifecycle.exitWithParent(parentPid);
        GatewayConfig cfg = config == null ? Gateway.configLoader().parse("", System.getenv())
                : Gateway.configLoader().load(config, System.getenv());
        // the capacity planner's Inferno-compatible API under /planner, loopback only like /admin
        PlannerApi planner = PlannerApi.create();
        Gateway gateway = Gateway.start(cfg, Clock.systemUTC(),
                List.of(new MountedApi("/planner", "planner API", planner::router)));
        if (config != null) {
            gateway.watchConfig(config, System.getenv()); // node edits apply while it runs
        }
        Lifecycle.announceReady(parentPid, "gateway", "gateway", gateway.url().toString());
        Lifecycle.runUntilShutdown(gateway);
        return 0;
    }
}
