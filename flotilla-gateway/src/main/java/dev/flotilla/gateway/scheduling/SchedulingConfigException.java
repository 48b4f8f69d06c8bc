package dev.flotilla.gateway.scheduling;

import java.util.List;

/** The scheduling configuration is wrong; {@link #problems()} names every path and value. */
public final class SchedulingConfigException extends IllegalArgumentException {
    private final List<String> problems;

    public SchedulingConfigException(List<String> problems) {
        super("invalid scheduling configuration:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
