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
import dev.flotilla.planner.milp.ServiceFloor;
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
 *   <li>{@link #atGreedyService()} ({@code milp-same-service}): one accelerator per server, the
 *       cheapest allocation serving at least what Inferno's greedy serves on the same candidates
 *       (each server it serves in full served in full, each it serves best effort at least at the
 *       same share) and costing no more than it. The two others serve as much as they can first;
 *       this one answers what the greedy's service costs at best.</li>
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

    /** Slack on comparing the greedy's total with the MILP's (the floor's ceiling has solver tolerance). */
    private static final double COST_SLACK = 1e-6;

    /** Slack on comparing a server's share with the greedy's. */
    private static final double SHARE_SLACK = 1e-6;

    private final boolean heterogeneous;
    private final boolean atGreedyService;
    private final MilpSolver milp;
    private final MilpSettings base;

    private MilpPlanSolver(boolean heterogeneous, boolean atGreedyService, MilpSolver milp, MilpSettings base) {
        this.heterogeneous = heterogeneous;
        this.atGreedyService = atGreedyService;
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
        return new MilpPlanSolver(heterogeneous, false, milp, base);
    }

    /**
     * One accelerator per server at the greedy's service ({@code milp-same-service}), OR-Tools SCIP,
     * 60 s time limit: Inferno's greedy runs first on the same candidates (with the problem's
     * saturation policy), and the MILP finds the cheapest allocation that fully serves every server
     * the greedy fully serves and gives every server the greedy serves best effort at least the
     * same share (replicas given over replicas needed), at a total cost no higher than the
     * greedy's. Servers the greedy leaves without an allocation may stay without. The greedy's
     * allocation is a feasible point of that model, so the answer never costs more; the greedy's
     * own allocation is returned when the time limit ends the solve with nothing found.
     */
    public static MilpPlanSolver atGreedyService() {
        return atGreedyService(MilpSolver.create(), MilpSettings.defaults());
    }

    /** As {@link #atGreedyService()} with a given MILP engine and base settings (time limit, backend). */
    public static MilpPlanSolver atGreedyService(MilpSolver milp, MilpSettings base) {
        return new MilpPlanSolver(false, true, milp, base);
    }

    @Override
    public String name() {
        return heterogeneous ? "milp-hetero" : atGreedyService ? "milp-same-service" : "milp";
    }

    /** Whether this solver keeps the greedy's service and minimises cost ({@link #atGreedyService()}). */
    public boolean isAtGreedyService() {
        return atGreedyService;
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
     * candidates (for {@link #atGreedyService()}: cost more, or none was found) and the greedy's
     * allocation was returned instead.
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
     * <p>For {@link #atGreedyService()} the greedy runs first and its service is the MILP's floor;
     * its allocation is returned ({@code greedyKept}) when the MILP finds none.
     *
     * @throws IllegalStateException when the MILP found no allocation at all (the time limit ran out
     *                               before the first one); not for {@link #atGreedyService()}
     */
    public Outcome solveDetailed(Problem problem, Map<String, List<Candidate>> candidates) {
        if (atGreedyService) {
            return solveAtGreedyService(problem, candidates);
        }
        MilpResult result = milp.solve(toAllocationProblem(problem, candidates));
        if (!result.hasSolution()) {
            throw new IllegalStateException(name() + " solver: " + result.status() + " (" + result.detail() + ")");
        }
        Solution exact = toSolution(problem, candidates, result);
        if (result.status() != dev.flotilla.planner.milp.SolveStatus.OPTIMAL) {
            Solution greedy = greedy(problem, candidates);
            if (Service.of(problem, greedy).compareTo(Service.of(problem, exact)) > 0) {
                return new Outcome(new Solution(name(), greedy.allocations(), greedy.unallocated()), result, true);
            }
        }
        return new Outcome(exact, result, false);
    }

    /**
     * The greedy's service as the MILP's floor, server by server, and its total as the cost ceiling.
     * The shares are the model's measure for single-type servers (replicas given over replicas
     * needed), so the greedy's allocation meets them exactly. Should the solver's tolerances let the
     * answer cost more than the greedy's by more than 1e-6, or serve a server less, the greedy's
     * allocation is returned.
     */
    private Outcome solveAtGreedyService(Problem problem, Map<String, List<Candidate>> candidates) {
        Solution greedy = greedy(problem, candidates);
        ServiceFloor floor = floorOf(problem, greedy);
        AllocationProblem floored = toAllocationProblem(problem, candidates);
        floored = floored.withSettings(floored.settings().withServiceFloor(floor));
        MilpResult result = milp.solve(floored);
        Solution kept = new Solution(name(), greedy.allocations(), greedy.unallocated());
        if (!result.hasSolution()) {
            return new Outcome(kept, result, true);
        }
        Solution exact = toSolution(problem, candidates, result);
        Map<String, Double> reached = floorOf(problem, exact).serverShares();
        boolean servesLess = floor.serverShares().entrySet().stream()
                .anyMatch(e -> reached.getOrDefault(e.getKey(), 0.0) < e.getValue() - SHARE_SLACK);
        if (servesLess || exact.totalCost() > greedy.totalCost() + COST_SLACK) {
            return new Outcome(kept, result, true);
        }
        return new Outcome(exact, result, false);
    }

    /** Inferno's solver for the problem's settings: the greedy, or under unlimited capacity each server's cheapest. */
    private static Solution greedy(Problem problem, Map<String, List<Candidate>> candidates) {
        OptimizerSettings o = problem.optimizer();
        return (o.unlimited() ? new UnlimitedSolver() : new GreedySolver(o.saturationPolicy(), o.delayedBestEffort()))
                .solve(problem, candidates);
    }

    /**
     * The service of a single-type solution server by server, as a floor: 1 for a server served in
     * full, replicas given over the candidate's for a best-effort one (servers without an allocation
     * left out); its total cost as the ceiling.
     */
    static ServiceFloor floorOf(Problem problem, Solution solution) {
        Map<String, Double> shares = new LinkedHashMap<>();
        for (Server s : problem.servers()) {
            List<Allocation> parts = solution.allocations(s.name());
            if (parts.isEmpty()) {
                continue;
            }
            boolean full = parts.stream().noneMatch(Allocation::bestEffort);
            double share = full ? 1 : parts.stream()
                    .mapToDouble(a -> a.candidate().replicas() == 0 ? 1 : (double) a.replicas() / a.candidate().replicas())
                    .sum();
            shares.put(s.name(), Math.min(1, share));
        }
        return ServiceFloor.perServer(shares, solution.totalCost());
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
