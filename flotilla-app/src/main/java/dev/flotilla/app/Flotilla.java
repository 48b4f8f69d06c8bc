package dev.flotilla.app;

import dev.flotilla.gateway.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code flotilla} command: one jar for the gateway, nodes, a local fleet, the load tester and the capacity planner. */
@Command(name = "flotilla", mixinStandardHelpOptions = true, version = "flotilla 0.1.0",
        description = "Control plane for LLM inference on a fleet of heterogeneous machines.",
        subcommands = {UpCommand.class, GatewayCommand.class, NodeCommand.class, BenchCommand.class,
                PlanCommand.class, PlannerCommand.class, SimCommand.class})
public final class Flotilla implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Flotilla())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // start-up failures (bad model file, port taken, invalid config) are the user's to fix:
                    // print what is wrong, not a stack trace
                    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                            || e instanceof ConfigException) {
                        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
