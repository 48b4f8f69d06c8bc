package dev.flotilla.planner.model;

import java.util.List;

/**
 * A planning problem that cannot be solved as given: a missing or out-of-range field, or an entry
 * naming something that does not exist. Every problem found is listed, each naming the entry and
 * the field, so that a user fixes the input in one pass instead of one error at a time.
 *
 * <p>It is an {@link IllegalArgumentException} so that callers that already report bad arguments
 * (the command line) print its message instead of a stack trace.
 */
public final class PlannerInputException extends IllegalArgumentException {

    private final List<String> problems;

    public PlannerInputException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    public PlannerInputException(String problem) {
        this(List.of(problem));
    }

    /** One line per problem, e.g. {@code servers[2] "Premium-llama": currentAlloc.load.arrivalRate: -5 (expected: >= 0)}. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a PlannerInputException needs at least one problem");
        }
        if (problems.size() == 1) {
            return problems.getFirst();
        }
        return problems.size() + " problems in the planner input:\n  " + String.join("\n  ", problems);
    }
}
