package dev.flotilla.planner.candidate;

/** The result of sizing a server on one accelerator: a candidate, or why there is none. */
public sealed interface Evaluation {

    /** The accelerator evaluated. */
    String accelerator();

    /** The server can run on this accelerator. */
    record Feasible(Candidate candidate) implements Evaluation {
        @Override
        public String accelerator() {
            return candidate.accelerator();
        }
    }

    /** It cannot: no performance data for the model there, or an SLO no load can meet. */
    record Infeasible(String accelerator, String reason) implements Evaluation {
    }
}
