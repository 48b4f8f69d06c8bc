package dev.flotilla.bench.trace;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything that determines a generated trace: the same spec gives the same records.
 *
 * @param seed            seeds every random draw
 * @param durationSeconds arrivals before this time are kept; infinity for no time bound
 * @param maxRequests     at most this many records (the earliest); {@code Long.MAX_VALUE} for no count bound
 * @param tenants         at least one
 */
public record TraceSpec(long seed, double durationSeconds, long maxRequests, List<TenantSpec> tenants) {

    public TraceSpec {
        tenants = List.copyOf(tenants);
        List<String> problems = new ArrayList<>();
        if (!(durationSeconds > 0)) {
            problems.add("duration: " + durationSeconds + " s (expected > 0)");
        }
        if (maxRequests < 1) {
            problems.add("requests: " + maxRequests + " (expected >= 1)");
        }
        if (Double.isInfinite(durationSeconds) && maxRequests == Long.MAX_VALUE) {
            problems.add("bounds: none (expected a duration, a request count or both)");
        }
        if (tenants.isEmpty()) {
            problems.add("tenants: none (expected at least one)");
        }
        Set<String> names = new HashSet<>();
        for (TenantSpec t : tenants) {
            if (!names.add(t.name())) {
                problems.add("tenants: '" + t.name() + "' twice (expected unique names)");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
