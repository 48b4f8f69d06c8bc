package dev.flotilla.planner.io;

import dev.flotilla.planner.model.ModelTarget;
import dev.flotilla.planner.model.OptimizerSettings;
import dev.flotilla.planner.model.Problem;
import dev.flotilla.planner.model.Server;
import dev.flotilla.planner.solver.Allocation;
import dev.flotilla.planner.solver.Solution;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A solution as a text table for people: per server the accelerator, replicas, batch limit, cost,
 * predicted ITL and TTFT and the slack to each SLO (target minus prediction; negative means
 * missed), then the total cost and the cards used per type. A server on a mix of accelerators has
 * one row per accelerator, noted with its share of the load.
 */
public final class PlanTable {

    private static final String[] HEADER = {"server", "class", "accelerator", "replicas", "batch", "cost", "ITL ms",
        "TTFT ms", "ITL slack", "TTFT slack", "TPS slack", "note"};
    /** Columns aligned to the right (numbers). */
    private static final boolean[] RIGHT = {false, false, false, true, true, true, true, true, true, true, true, false};

    private PlanTable() {
    }

    public static String render(Problem problem, Solution solution) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADER);
        for (Server s : problem.servers()) {
            ModelTarget t = problem.targetOf(s);
            String cls = s.serviceClass();
            List<Allocation> parts = solution.allocations(s.name());
            if (parts.isEmpty()) {
                String reason = solution.unallocated().getOrDefault(s.name(), "");
                rows.add(new String[] {s.name(), cls, "-", "0", "-", "0", "-", "-", "-", "-", "-",
                        "no allocation: " + reason});
                continue;
            }
            double rateCapacity = 0;
            for (Allocation a : parts) {
                rateCapacity += a.replicas() * a.candidate().maxRatePerReplica();
            }
            double tokensPerSecond = rateCapacity * s.load().avgOutTokens();
            for (int i = 0; i < parts.size(); i++) {
                Allocation a = parts.get(i);
                boolean idle = a.replicas() == 0;
                boolean saturated = a.bestEffort();
                String note;
                if (parts.size() > 1) {
                    double share = a.replicas() * a.candidate().maxRatePerReplica() / rateCapacity;
                    note = "mix " + (i + 1) + "/" + parts.size() + ": " + Math.round(share * 100) + "% of the load"
                            + (saturated ? "; best effort: SLOs not met" : "");
                } else {
                    note = saturated ? "best effort: " + a.replicas() + " of " + a.candidate().replicas()
                            + " replicas needed; SLOs not met" : idle ? "no traffic" : "";
                }
                rows.add(new String[] {s.name(), cls, idle ? "-" : a.accelerator(), String.valueOf(a.replicas()),
                    idle ? "-" : String.valueOf(a.batchSize()), number(a.cost()), idle ? "-" : fixed(a.itl()),
                    idle ? "-" : fixed(a.ttft()), slack(t.sloItl(), a.itl(), saturated || idle),
                    slack(t.sloTtft(), a.ttft(), saturated || idle),
                    t.sloTps() > 0 && !saturated ? signed(tokensPerSecond - t.sloTps()) : "-", note});
            }
        }
        StringBuilder out = new StringBuilder();
        out.append(table(rows));
        OptimizerSettings o = problem.optimizer();
        long bestEffort = solution.allocations().stream().filter(Allocation::bestEffort).map(Allocation::server)
                .distinct().count();
        long mixed = solution.allocatedServers().stream().filter(solution::mixed).count();
        out.append(String.format(Locale.ROOT, "%ntotal cost %s  (solver %s, %s; %d servers, %s%d best effort, %d without allocation)%n",
                number(solution.totalCost()), solution.solver(),
                o.unlimited() ? "unlimited capacity" : "limited capacity, saturation policy "
                        + o.saturationPolicy().infernoName() + (o.delayedBestEffort() ? ", delayed best effort" : ""),
                problem.servers().size(), mixed > 0 ? mixed + " on a mix of accelerators, " : "", bestEffort,
                solution.unallocated().size()));
        Map<String, Integer> used = solution.unitsByType();
        if (!used.isEmpty()) {
            List<String> parts = new ArrayList<>();
            used.forEach((type, n) -> parts.add(type + " " + n + (o.unlimited() ? "" : "/" + problem.capacity(type))));
            out.append("cards used").append(o.unlimited() ? "" : " (of available)").append(": ")
                    .append(String.join(", ", parts)).append(System.lineSeparator());
        }
        out.append("slack = SLO target - prediction (ms; tokens/s for TPS); negative misses the target")
                .append(System.lineSeparator());
        return out.toString();
    }

    private static String slack(double target, double predicted, boolean meaningless) {
        return target > 0 && !meaningless ? signed(target - predicted) : "-";
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.2f", v);
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** A cost: whole numbers without decimals, others with two. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String table(List<String[]> rows) {
        int[] width = new int[HEADER.length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    line.append("  ");
                }
                String cell = r[i];
                String pad = " ".repeat(width[i] - cell.length());
                line.append(RIGHT[i] ? pad + cell : cell + (i == r.length - 1 ? "" : pad));
            }
            b.append(line.toString().stripTrailing()).append(System.lineSeparator());
        }
        return b.toString();
    }
}
