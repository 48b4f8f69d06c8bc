package dev.flotilla.app;

import dev.flotilla.gateway.Gateway;
import dev.flotilla.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flotilla gateway}: the OpenAI endpoint in front of the nodes listed in a YAML file
 * (environment variables {@code FLOTILLA_...} override it; see docs/configuration.md). Edits of the
 * file's nodes are applied while it runs; other sections need a restart.
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
        Gateway gateway = Gateway.start(cfg, Clock.systemUTC());
        if (config != null) {
            gateway.watchConfig(config, System.getenv()); // node edits apply while it runs
        }
        Lifecycle.announceReady(parentPid, "gateway", "gateway", gateway.url().toString());
        Lifecycle.runUntilShutdown(gateway);
        return 0;
    }
}
