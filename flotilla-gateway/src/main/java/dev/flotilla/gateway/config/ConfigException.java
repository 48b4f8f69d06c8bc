package dev.flotilla.gateway.config;

import java.util.List;

/**
 * The configuration is unusable; {@link #problems()} lists every problem found, each as
 * {@code "path: value (expected ...)"}, so one start-up attempt shows them all.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        StringBuilder sb = new StringBuilder("Invalid gateway configuration (")
                .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
