package dev.flotilla.planner.solver;

import dev.flotilla.planner.candidate.Candidate;
import dev.flotilla.planner.candidate.Candidates;
import dev.flotilla.planner.milp.AllocationProblem;
import dev.flotilla.planner.milp.CandidateOption;
import dev.flotilla.planner.milp.MilpResult;
import dev.flotilla.planner.milp.MilpSettings;
import dev.flotilla.planner.milp.MilpSolver;
import dev.flotilla.planner.milp.Placement;
import dev.flotilla.planner.milp.RateDemand;
import dev.flotilla.planner.milp.RateOption;
import dev.flotilla.planner.milp.ServerAllocation;
import dev.flotilla.planner.milp.ServerSpec;
import dev.flotilla.planner.milp.Shortfall;
import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.SaturationPolicy;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.queue.QueueMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The exact solver: the problem's candidates become the MILP's {@link AllocationProblem}, OR-Tools
 * solves it ({@link MilpSolver}), and the answer is joined back to the candidates as a
 * {@link Solution}. Two variants:
 *
 * <ul>
 *   <li>{@link #singleType()} ({@code milp}): each server on one accelerator, choosing among the
 *       same candidates as Inferno's greedy, so it serves at least as many servers per priority
 *       and, at equal service, costs no more;</li>
 *   <li>{@link #heterogeneous()} ({@code milp-hetero}): a server's replicas may mix accelerators
 *       (Mélange's idea per server): whole replicas of any of its candidates whose maximum rates per
 *       replica add up to the rate it is sized for. Its figures come from the queueing analysis of
 *       each part at its share of the load (the load split in proportion to the replicas' rates).</li>
 * </ul>
 *
 * <p>The mapping (docs/planner-milp.md, "What the adapter provides"): priority = the service
 * class's priority (lexicographic, most important first); per replica {@code accCount x
 * multiplicity} cards of the accelerator's type; capacity per type as given, and 0 for a type not
 * listed (unlimited mode: no limit); {@code keepAccelerator} through the candidates (only the
 * current accelerator); the current allocation as a placement with Inferno's transition penalty
 * factor 0.1; saturation policy {@code None} leaves servers that do not fit unallocated, any other
 * policy gives them a best-effort share (the MILP maximises each priority's served share after the
 * full allocations, which is also what {@code delayedBestEffort} asks for). A server without traffic
 * keeps the single-type form in both variants. Blocking and CPU-bound: call it off event loops.
 */
public final class MilpPlanSolver implements Solver {

    /** Inferno's {@code AccelPenaltyFactor}: moving a server costs this share of both allocations' cost. */
    public static final double TRANSITION_PENALTY_FACTOR = Candidates.ACCELERATOR_PENALTY_FACTOR;

    private final boolean heterogeneous;
    private final MilpSolver milp;
    private final MilpSettings base;

    private MilpPlanSolver(boolean heterogeneous, MilpSolver milp, MilpSettings base) {
        this.heterogeneous = heterogeneous;
        this.milp = Objects.requireNonNull(milp, "milp");
        this.base = Objects.requireNonNull(base, "base");
    }

    /** One accelerator per server ({@code milp}), OR-Tools SCIP, 60 s time limit. */
    public static MilpPlanSolver singleType() {
        return of(false, MilpSolver.create(), MilpSettings.defaults());
    }

    /** Replicas of one server may mix accelerators ({@code milp-hetero}), OR-Tools SCIP, 60 s time limit. */
    public static MilpPlanSolver heterogeneous() {
        return of(true, MilpSolver.create(), MilpSettings.defaults());
    }

    /**
     * A solver with a given MILP engine and base settings (objective, time limit, backend); the
     * shortfall policy and the transition penalty factor are set per problem from its optimizer
     * settings.
     */
    public static MilpPlanSolver of(boolean heterogeneous, MilpSolver milp, MilpSettings base) {
        return new MilpPlanSolver(heterogeneous, milp, base);
    }

    @Override
    public String name() {
        return heterogeneous ? "milp-hetero" : "milp";
    }

    /** Whether this solver mixes accelerators within a server. */
    public boolean isHeterogeneous() {
        return heterogeneous;
    }

    /**
     * A solution and the MILP's own account of it: {@link MilpResult#status()} is
     * {@link dev.flotilla.planner.milp.SolveStatus#FEASIBLE} when the time limit ended a stage (the
     * best allocation found, not proven optimal), with its solve time and stages;
     * {@code greedyKept} when that allocation served worse than Inferno's greedy on the same
     * candidates and the greedy's allocation was returned instead.
     */
    public record Outcome(Solution solution, MilpResult result, boolean greedyKept) {
    }

    @Override
    public Solution solve(Problem problem, Map<String, List<Candidate>> candidates) {
        return solveDetailed(problem, candidates).solution();
    }

    /**
     * As {@link #solve}, with the MILP's status, time and stages. When the time limit stopped the
     * MILP before it proved its answer, the answer is compared with the greedy's on the same
     * candidates (servers served per priority, then the share carried, then cost): a time-limited
     * exact solver never answers worse than the heuristic it replaces.
     *
     * @throws IllegalStateException when the MILP found no allocation at all (the time limit ran out
     *                               before the first one)
     */
    public Outcome solveDetailed(Problem problem, Map<String, List<Candidate>> candidates) {
        MilpResult result = milp.solve(toAllocationProblem(problem, candidates));
        if (!result.hasSolution()) {
            throw new IllegalStateException(name() + " solver: " + result.status() + " (" + result.detail() + ")");
        }
        Solution exact = toSolution(problem, candidates, result);
        if (result.status() != dev.flotilla.planner.milp.SolveStatus.OPTIMAL) {
            OptimizerSettings o = problem.optimizer();
            Solution greedy = (o.unlimited() ? new UnlimitedSolver()
                    : new GreedySolver(o.saturationPolicy(), o.delayedBestEffort())).solve(problem, candidates);
            if (Service.of(problem, greedy).compareTo(Service.of(problem, exact)) > 0) {
                return new Outcome(new Solution(name(), greedy.allocations(), greedy.unallocated()), result, true);
            }
        }
        return new Outcome(exact, result, false);
    }

    /** The time limit of a solve, all stages together. */
    public java.time.Duration timeLimit() {
        return base.timeLimit();
    }

    /** The MILP's input for {@code problem} with its candidates (for tests and measurements). */
    public AllocationProblem toAllocationProblem(Problem problem, Map<String, List<Candidate>> candidates) {
        List<ServerSpec> specs = new ArrayList<>();
        for (Server s : problem.servers()) {
            List<Candidate> cs = candidates.getOrDefault(s.name(), List.of());
            int priority = problem.serviceClassOf(s).priority();
            ServerSpec spec = mixes(s, cs)
                    ? ServerSpec.mix(s.name(), priority, new RateDemand(Candidates.requiredRate(problem, s),
                            s.minNumReplicas(), cs.stream().map(MilpPlanSolver::rateOption).toList()))
                    : ServerSpec.single(s.name(), priority, cs.stream().map(MilpPlanSolver::option).toList());
            specs.add(spec.withCurrent(current(s.current())));
        }
        return new AllocationProblem(specs, capacity(problem), settings(problem.optimizer()));
    }

    /** Shortfall from the saturation policy, Inferno's transition penalty factor, the rest from the base. */
    MilpSettings settings(OptimizerSettings optimizer) {
        Shortfall shortfall = optimizer.saturationPolicy() == SaturationPolicy.NONE ? Shortfall.LEAVE_UNALLOCATED
                : Shortfall.BEST_EFFORT;
        return base.withShortfall(shortfall).withTransitionPenaltyFactor(TRANSITION_PENALTY_FACTOR);
    }

    /** Cards per type; Inferno gives a type it does not list none, the MILP reads a missing type as unlimited. */
    private static Map<String, Integer> capacity(Problem problem) {
        Map<String, Integer> capacity = new LinkedHashMap<>();
        if (problem.optimizer().unlimited()) {
            return capacity;
        }
        for (Accelerator a : problem.accelerators()) {
            capacity.put(a.type(), problem.capacity(a.type()));
        }
        return capacity;
    }

    private boolean mixes(Server server, List<Candidate> candidates) {
        return heterogeneous && !server.load().idle() && !candidates.isEmpty()
                && candidates.stream().allMatch(c -> c.replicas() > 0 && c.maxRatePerReplica() > 0);
    }

    private static CandidateOption option(Candidate c) {
        return new CandidateOption(c.accelerator(), Map.of(c.acceleratorType(), c.unitsPerReplica()), c.replicas(),
                c.cost());
    }

    private static RateOption rateOption(Candidate c) {
        return new RateOption(c.accelerator(), Map.of(c.acceleratorType(), c.unitsPerReplica()),
                c.maxRatePerReplica(), c.costPerReplica());
    }

    private static List<Placement> current(CurrentAllocation current) {
        if (current.isNone() || current.numReplicas() == 0) {
            return List.of();
        }
        return List.of(new Placement(current.accelerator(), current.numReplicas(), current.cost()));
    }

    private Solution toSolution(Problem problem, Map<String, List<Candidate>> candidates, MilpResult result) {
        List<Allocation> allocations = new ArrayList<>();
        List<Server> unserved = new ArrayList<>();
        for (Server s : problem.servers()) {
            ServerAllocation sa = result.allocation(s.name()).orElseThrow();
            List<Candidate> cs = candidates.getOrDefault(s.name(), List.of());
            Map<String, Candidate> byAccelerator = new LinkedHashMap<>();
            cs.forEach(c -> byAccelerator.put(c.accelerator(), c));
            if (sa.unallocated()) {
                unserved.add(s);
            } else if (!mixes(s, cs)) {
                Placement p = sa.placements().getFirst();
                Candidate c = byAccelerator.get(p.optionId());
                allocations.add(sa.served() ? Allocation.of(c) : Allocation.bestEffort(c, p.replicas()));
            } else {
                allocations.addAll(mix(problem, s, sa, byAccelerator));
            }
        }
        Solution partial = new Solution(name(), allocations, Map.of());
        Map<String, String> unallocated = new LinkedHashMap<>();
        for (Server s : unserved) {
            unallocated.put(s.name(), reason(problem, s, candidates.getOrDefault(s.name(), List.of()), partial));
        }
        return new Solution(name(), allocations, unallocated);
    }

    /**
     * The parts of a heterogeneous server: each accelerator's replicas take the load in proportion
     * to their maximum rates (all at their maximum when the mix falls short: best effort), and
     * their ITL and TTFT are analysed at that load.
     */
    private static List<Allocation> mix(Problem problem, Server s, ServerAllocation sa,
            Map<String, Candidate> byAccelerator) {
        double capacityRate = 0;
        for (Placement p : sa.placements()) {
            capacityRate += byAccelerator.get(p.optionId()).maxRatePerReplica() * p.replicas();
        }
        double utilisation = Math.min(1, Candidates.requiredRate(problem, s) / capacityRate);
        List<Allocation> parts = new ArrayList<>();
        for (Placement p : sa.placements()) {
            Candidate c = byAccelerator.get(p.optionId());
            if (sa.served() && sa.placements().size() == 1 && p.replicas() == c.replicas()) {
                parts.add(Allocation.of(c)); // the candidate itself: same replicas, same load
                continue;
            }
            double perReplica = c.maxRatePerReplica() * utilisation;
            Accelerator acc = problem.accelerator(c.accelerator()).orElseThrow();
            QueueMetrics m = Candidates.analyze(problem, s, acc, perReplica).orElseThrow();
            Candidate part = new Candidate(s.name(), c.accelerator(), c.acceleratorType(), p.replicas(), c.batchSize(),
                    c.unitsPerReplica(), p.cost(), p.cost(), m.itl(), m.ttft(), c.maxRatePerReplica(), m.rho());
            parts.add(new Allocation(part, p.replicas(), p.cost(), !sa.served()));
        }
        return parts;
    }

    /** Why a server got nothing, e.g. "not enough capacity: its cheapest allocation needs 19 G2 cards (19 x G2), 1 left". */
    private static String reason(Problem problem, Server s, List<Candidate> candidates, Solution solution) {
        if (candidates.isEmpty()) {
            return "no accelerator meets its SLOs";
        }
        Candidate cheapest = candidates.stream().min(Comparator.comparingDouble(Candidate::cost)).orElseThrow();
        int left = problem.capacity(cheapest.acceleratorType())
                - solution.unitsByType().getOrDefault(cheapest.acceleratorType(), 0);
        return "not enough capacity: its cheapest allocation needs " + cheapest.units() + " "
                + cheapest.acceleratorType() + " cards (" + cheapest.replicas() + " x " + cheapest.accelerator()
                + "), " + left + " left"
                + (problem.optimizer().saturationPolicy() == SaturationPolicy.NONE
                        ? "; saturation policy None gives no best-effort share" : "");
    }
}
