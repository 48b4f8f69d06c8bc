package dev.flotilla.planner.fit;

import java.util.List;
import java.util.Optional;

/**
 * One fitted equation: its parameters with standard errors, how well it explains the samples
 * ({@code rSquared}), the spread of what it does not explain and how many samples it used.
 *
 * @param equation       e.g. {@code decode step = alpha + beta * batch (ms)}
 * @param parameters     the parameters in the equation's order
 * @param rSquared       coefficient of determination, in [0, 1]
 * @param residualStdDev standard deviation of the residuals, ms
 * @param samples        samples used
 */
public record LinearFit(String equation, List<FittedParameter> parameters, double rSquared, double residualStdDev,
        int samples) {

    public LinearFit {
        parameters = List.copyOf(parameters);
    }

    /** The parameter of that name. */
    public Optional<FittedParameter> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The value of the named parameter (it exists). */
    public double value(String name) {
        return parameter(name).orElseThrow().value();
    }
}
