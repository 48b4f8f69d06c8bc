package dev.flotilla.planner.candidate;

import dev.flotilla.planner.model.Accelerator;
import dev.flotilla.planner.model.CurrentAllocation;
import dev.flotilla.planner.model.Load;
import dev.flotilla.planner.model.ModelPerf;
import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.perf.IdleFigures;
import dev.flotilla.planner.perf.RequestSize;
import dev.flotilla.planner.queue.QueueAnalyzer;
import dev.flotilla.planner.queue.QueueMetrics;
import dev.flotilla.planner.queue.Sizing;
import dev.flotilla.planner.queue.Targets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sizes servers on accelerators: for each server and accelerator the feasible allocation, as
 * Inferno computes it (llm-inferno/optimizer pkg/core/allocation.go):
 *
 * <ol>
 *   <li>batch limit N = the server's {@code maxBatchSize} if set, else
 *       {@code max(1, maxBatchSize * atTokens / avgOutTokens)} of the model data; room for
 *       {@code 10 * N} waiting requests;</li>
 *   <li>the highest rate per replica meeting the TTFT and ITL targets, by bisection on the arrival
 *       rate of the queueing model ({@link QueueAnalyzer#size}); the replica's throughput there is
 *       its maximum rate;</li>
 *   <li>replicas = {@code max(ceil(rate / max rate), minNumReplicas)}, where rate is the arrival
 *       rate, or {@code slo-tps / avgOutTokens} when a throughput target is set;</li>
 *   <li>cost = accelerator cost x {@code accCount} x replicas; ITL and TTFT predicted at the real
 *       per-replica rate.</li>
 * </ol>
 * A server without traffic gets {@code minNumReplicas} replicas (cost 0 and no accelerator use when
 * that is 0).
 */
public final class Candidates {

    /** Waiting room per replica as a multiple of the batch limit. */
    public static final int MAX_QUEUE_TO_BATCH_RATIO = 10;
    /** Share of both allocations' cost charged for moving a server to another accelerator. */
    public static final double ACCELERATOR_PENALTY_FACTOR = 0.1;

    private Candidates() {
    }

    /**
     * Feasible candidates of {@code server}, one per accelerator it can run on, in the order the
     * accelerators are listed (only the current accelerator when the server keeps it).
     */
    public static List<Candidate> candidates(Problem problem, Server server) {
        List<Candidate> out = new ArrayList<>();
        for (Evaluation e : evaluate(problem, server)) {
            if (e instanceof Evaluation.Feasible f) {
                out.add(f.candidate());
            }
        }
        return out;
    }

    /**
     * Candidates of every server, by server name in input order. Servers are sized in parallel (on
     * the common fork-join pool): each sizing is a pure function of the immutable problem, and the
     * results are gathered in input order, so the answer is the same as sizing them one by one.
     */
    public static Map<String, List<Candidate>> all(Problem problem) {
        List<List<Candidate>> sized = problem.servers().parallelStream().map(s -> candidates(problem, s)).toList();
        Map<String, List<Candidate>> out = new LinkedHashMap<>();
        for (int i = 0; i < sized.size(); i++) {
            out.put(problem.servers().get(i).name(), sized.get(i));
        }
        return out;
    }

    /**
     * The total request rate (requests/s) a server is sized for: its arrival rate, or
     * {@code slo-tps / avgOutTokens} when its class sets a throughput target.
     */
    public static double requiredRate(Problem problem, Server server) {
        ModelTarget target = problem.targetOf(server);
        Load load = server.load();
        return target.sloTps() > 0 && load.avgOutTokens() > 0 ? target.sloTps() / load.avgOutTokens()
                : load.requestsPerSecond();
    }

    /**
     * The queueing figures of one replica of {@code server} on {@code accelerator} at
     * {@code requestsPerSecond} (&gt; 0), with the batch limit the candidate uses; empty when the
     * server has no traffic or the model has no performance data there. Solvers that split a
     * server's load unevenly (a heterogeneous mix) predict each part's ITL and TTFT with it.
     */
    public static Optional<QueueMetrics> analyze(Problem problem, Server server, Accelerator accelerator,
            double requestsPerSecond) {
        ModelPerf perf = problem.perf(server.model(), accelerator.name()).orElse(null);
        if (perf == null || server.load().idle()) {
            return Optional.empty();
        }
        return Optional.of(analyzer(server, perf).analyze(requestsPerSecond));
    }

    private static QueueAnalyzer analyzer(Server server, ModelPerf perf) {
        Load load = server.load();
        int batch = server.maxBatchSize() > 0 ? server.maxBatchSize() : perf.batchLimitFor(load.avgOutTokens());
        return new QueueAnalyzer(perf.perf(), new RequestSize(load.avgInTokens(), load.avgOutTokens()), batch,
                batch * MAX_QUEUE_TO_BATCH_RATIO);
    }

    /** Every accelerator the server may use, with its candidate or the reason there is none. */
    public static List<Evaluation> evaluate(Problem problem, Server server) {
        List<Evaluation> out = new ArrayList<>();
        for (Accelerator a : eligibleAccelerators(problem, server)) {
            out.add(evaluate(problem, server, a));
        }
        return out;
    }

    /** Sizes {@code server} on accelerator {@code accelerator}. */
    public static Evaluation evaluate(Problem problem, Server server, Accelerator accelerator) {
        ModelPerf perf = problem.perf(server.model(), accelerator.name()).orElse(null);
        if (perf == null) {
            return new Evaluation.Infeasible(accelerator.name(), "no performance data for model " + server.model());
        }
        Load load = server.load();
        int unitsPerReplica = perf.accCount() * accelerator.multiplicity();
        double costPerReplica = accelerator.cost() * perf.accCount();
        if (load.idle()) {
            return new Evaluation.Feasible(idleCandidate(server, accelerator, perf, unitsPerReplica, costPerReplica));
        }
        QueueAnalyzer analyzer;
        try {
            analyzer = analyzer(server, perf);
        } catch (IllegalArgumentException e) {
            return new Evaluation.Infeasible(accelerator.name(), e.getMessage());
        }
        ModelTarget target = problem.targetOf(server);
        Sizing sizing = analyzer.size(new Targets(target.sloTtft(), target.sloItl(), target.sloTps()));
        if (sizing instanceof Sizing.Infeasible no) {
            return new Evaluation.Infeasible(accelerator.name(), no.reason());
        }
        double maxRate = ((Sizing.Feasible) sizing).atBinding().throughput();
        if (!(maxRate > 0) || Double.isInfinite(maxRate)) {
            return new Evaluation.Infeasible(accelerator.name(), "maximum rate per replica: " + maxRate
                    + " requests/s (expected: a finite rate > 0; check the performance parameters)");
        }
        int batch = analyzer.maxBatch();
        double totalRate = requiredRate(problem, server);
        int replicas = Math.max((int) Math.ceil(totalRate / maxRate), server.minNumReplicas());
        QueueMetrics at = analyzer.analyze(totalRate / replicas);
        double cost = costPerReplica * replicas;
        return new Evaluation.Feasible(new Candidate(server.name(), accelerator.name(), accelerator.type(), replicas,
                batch, unitsPerReplica, cost, transitionPenalty(server.current(), accelerator.name(), replicas, cost),
                at.itl(), at.ttft(), maxRate, at.rho()));
    }

    private static Candidate idleCandidate(Server server, Accelerator accelerator, ModelPerf perf, int unitsPerReplica,
            double costPerReplica) {
        int replicas = server.minNumReplicas();
        if (replicas == 0) {
            return new Candidate(server.name(), accelerator.name(), accelerator.type(), 0, 0, unitsPerReplica, 0,
                    transitionPenalty(server.current(), accelerator.name(), 0, 0), 0, 0, 0, 0);
        }
        int batch = server.maxBatchSize() > 0 ? server.maxBatchSize() : perf.maxBatchSize();
        IdleFigures idle = perf.perf().idle(batch);
        double cost = costPerReplica * replicas;
        return new Candidate(server.name(), accelerator.name(), accelerator.type(), replicas, batch, unitsPerReplica,
                cost, transitionPenalty(server.current(), accelerator.name(), replicas, cost), idle.itl(), idle.ttft(),
                idle.maxRatePerMs() * 1000, 0);
    }

    /**
     * Inferno's cost of moving a server from its current allocation to {@code replicas} replicas on
     * {@code accelerator} costing {@code cost}: 0 for no change; the cost difference for a change in
     * replicas only; otherwise the cost difference plus 10% of both costs. A server with no current
     * allocation pays 1.1 x the new cost, so candidates still rank by cost.
     */
    public static double transitionPenalty(CurrentAllocation current, String accelerator, int replicas, double cost) {
        // zero replicas run nowhere, like an empty current allocation (Inferno names no accelerator then)
        String to = replicas == 0 ? "" : accelerator;
        if (current.accelerator().equals(to)) {
            return current.numReplicas() == replicas ? 0 : cost - current.cost();
        }
        return ACCELERATOR_PENALTY_FACTOR * (current.cost() + cost) + (cost - current.cost());
    }

    private static List<Accelerator> eligibleAccelerators(Problem problem, Server server) {
        if (server.keepAccelerator() && !server.current().isNone()) {
            return problem.accelerator(server.current().accelerator()).map(List::of).orElse(List.of());
        }
        return problem.accelerators();
    }
}
