package dev.flotilla.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of the {@code flotilla} command line: its exit code and what it printed to each stream. */
record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code flotilla args...} as the shaded jar's main would, capturing standard output and error. */
    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Flotilla.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new CommandRun(code, out.toString(), err.toString());
    }
}
