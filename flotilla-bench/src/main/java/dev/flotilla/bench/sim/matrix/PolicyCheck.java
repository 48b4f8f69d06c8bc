package dev.flotilla.bench.sim.matrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Issue 5's acceptance rules over a matrix's cells, for one policy ("ours"): on every fleet,
 * workload and load, each {@link Metric} must be the best or within {@code tolerance} of the best
 * policy's; and on heterogeneous fleets at {@code minLoad} percent and above, our p99 TTFT must be
 * at most {@code baselineRatio} times the baseline's. The numbers decide: the check lists
 * violations, it does not fail.
 *
 * @param ours          the policy under test, e.g. {@code flotilla}
 * @param baseline      the policy of the p99 TTFT rule, e.g. {@code round-robin}
 * @param tolerance     e.g. 0.03 for "within 3 %"
 * @param baselineRatio e.g. 0.5 for "at most half"
 * @param minLoad       e.g. 80 (percent)
 */
public record PolicyCheck(String ours, String baseline, double tolerance, double baselineRatio, double minLoad) {

    /** The rules: within 3 % of the best; at 80 % load and above, at most half of the baseline's p99 TTFT. */
    public static PolicyCheck of(String ours, String baseline) {
        return new PolicyCheck(ours, baseline, 0.03, 0.5, 80);
    }

    public PolicyCheck {
        Objects.requireNonNull(ours, "ours");
        Objects.requireNonNull(baseline, "baseline");
    }

    /** Which rule a violation breaks. */
    public enum Rule {
        /** ours is not within the tolerance of the best policy on this metric */
        NOT_NEAR_BEST,
        /** on a heterogeneous fleet at high load, ours' p99 TTFT is above the allowed share of the baseline's */
        NOT_BELOW_BASELINE,
        /** a cell the rules need was not run (ours or the baseline missing for this fleet, workload and load) */
        MISSING
    }

    /**
     * One broken rule in one fleet, workload and load.
     *
     * @param reference       the best value (NOT_NEAR_BEST) or the baseline's value times the ratio (NOT_BELOW_BASELINE)
     * @param referencePolicy the best policy, or the baseline
     */
    public record Violation(String fleet, String workload, double load, Rule rule, Metric metric, double ours,
                            double reference, String referencePolicy) {
    }

    /** Every violation, in the cells' order (fleet, workload, load), metrics in {@link Metric} order. */
    public List<Violation> check(List<CellResult> cells) {
        Map<String, List<CellResult>> groups = new LinkedHashMap<>();
        for (CellResult c : cells) {
            groups.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c);
        }
        List<Violation> out = new ArrayList<>();
        for (List<CellResult> group : groups.values()) {
            CellResult first = group.getFirst();
            CellResult mine = find(group, ours);
            if (mine == null) {
                out.add(new Violation(first.fleet(), first.workload(), first.load(), Rule.MISSING, null, Double.NaN,
                        Double.NaN, ours));
                continue;
            }
            for (Metric m : Metric.values()) {
                CellResult best = best(group, m);
                double value = m.of(mine);
                if (!m.within(value, m.of(best), tolerance)) {
                    out.add(new Violation(mine.fleet(), mine.workload(), mine.load(), Rule.NOT_NEAR_BEST, m, value,
                            m.of(best), best.policy()));
                }
            }
            if (mine.heterogeneous() && mine.load() >= minLoad) {
                CellResult base = find(group, baseline);
                if (base == null) {
                    out.add(new Violation(mine.fleet(), mine.workload(), mine.load(), Rule.MISSING, Metric.P99_TTFT,
                            mine.p99TtftMs(), Double.NaN, baseline));
                } else {
                    double limit = base.p99TtftMs() * baselineRatio;
                    // ours without a p99 (nothing completed) never passes; a baseline without one is beaten by any
                    if (Double.isNaN(mine.p99TtftMs()) || (!Double.isNaN(limit) && mine.p99TtftMs() > limit)) {
                        out.add(new Violation(mine.fleet(), mine.workload(), mine.load(), Rule.NOT_BELOW_BASELINE,
                                Metric.P99_TTFT, mine.p99TtftMs(), limit, baseline));
                    }
                }
            }
        }
        return out;
    }

    /** The best cell of a group on {@code metric}; the first of equals. */
    static CellResult best(List<CellResult> group, Metric metric) {
        CellResult best = group.getFirst();
        for (CellResult c : group) {
            if (metric.better(metric.of(c), metric.of(best))) {
                best = c;
            }
        }
        return best;
    }

    private static CellResult find(List<CellResult> group, String policy) {
        for (CellResult c : group) {
            if (c.policy().equals(policy)) {
                return c;
            }
        }
        return null;
    }
}
