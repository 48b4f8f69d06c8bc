package dev.flotilla.bench.sim.matrix;

import dev.flotilla.bench.report.Slo;
import dev.flotilla.bench.sim.FleetSpec;
import dev.flotilla.engine.sim.AcceleratorProfile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a policy comparison runs: every fleet x workload x load x policy.
 *
 * @param fleets          named fleets (the policy of each is replaced by the cell's)
 * @param workloads       the workloads
 * @param loads           offered load in percent of the fleet's capacity for the workload, e.g. 50, 80, 95, 110
 * @param policies        routing policy names, passed to the {@link SimulatorFactory} as they are
 * @param durationSeconds how long each trace offers requests (simulated time)
 * @param seed            seeds every trace and every request's sampling
 * @param sloOverride     objectives used instead of each workload's own where set (fields may be null)
 */
public record MatrixSpec(List<NamedFleet> fleets, List<SimWorkload> workloads, List<Double> loads, List<String> policies,
                         double durationSeconds, long seed, Slo sloOverride) {

    /** A fleet and the name reports give it (e.g. the file name without {@code .yaml}). */
    public record NamedFleet(String name, FleetSpec fleet) {
        public NamedFleet {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(fleet, "fleet");
        }

        /** More than one accelerator profile. */
        public boolean heterogeneous() {
            Set<AcceleratorProfile> profiles = new HashSet<>();
            fleet.nodes().forEach(g -> profiles.add(g.profile()));
            return profiles.size() > 1;
        }
    }

    public MatrixSpec {
        fleets = List.copyOf(fleets);
        workloads = List.copyOf(workloads);
        loads = List.copyOf(loads);
        policies = List.copyOf(policies);
        Objects.requireNonNull(sloOverride, "sloOverride");
        List<String> problems = new ArrayList<>();
        if (fleets.isEmpty()) {
            problems.add("fleets: none (expected at least one)");
        }
        if (workloads.isEmpty()) {
            problems.add("workloads: none (expected at least one)");
        }
        if (policies.isEmpty()) {
            problems.add("policies: none (expected at least one)");
        }
        if (loads.isEmpty()) {
            problems.add("loads: none (expected percentages like 50,80,95,110)");
        }
        for (Double l : loads) {
            if (l == null || !(l > 0) || l.isInfinite()) {
                problems.add("loads: " + l + " (expected a percentage > 0)");
            }
        }
        if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
            problems.add("duration: " + durationSeconds + " s (expected > 0)");
        }
        unique(problems, "fleets", fleets.stream().map(NamedFleet::name).toList());
        unique(problems, "workloads", workloads.stream().map(SimWorkload::name).toList());
        unique(problems, "policies", policies);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The objectives of a workload's cells: the override's fields where set, the workload's otherwise. */
    public Slo slo(SimWorkload workload) {
        Slo own = workload.slo();
        return new Slo(sloOverride.ttftMs() != null ? sloOverride.ttftMs() : own.ttftMs(),
                sloOverride.itlMs() != null ? sloOverride.itlMs() : own.itlMs(),
                sloOverride.e2elMs() != null ? sloOverride.e2elMs() : own.e2elMs());
    }

    /** Cells in all. */
    public int cells() {
        return fleets.size() * workloads.size() * loads.size() * policies.size();
    }

    private static void unique(List<String> problems, String field, List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                problems.add(field + ": '" + n + "' twice (expected each once)");
            }
        }
    }
}
