package dev.flotilla.bench.sim;

import dev.flotilla.bench.trace.RateSchedule;
import dev.flotilla.bench.trace.TenantParameters;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.bench.trace.TraceSpec;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bench's traces as simulator input: {@link TraceRecord} to {@link SimRequest}, and synthetic
 * workloads described with the same parameters as {@code flotilla bench trace --tenant}.
 */
public final class TraceRequests {

    /** Arrival seconds to nanoseconds, the prompt as it is, the expected output tokens as {@code max_tokens}. */
    public static final SimRequestAdapter<TraceRecord> ADAPTER = TraceRequests::toSimRequest;

    private TraceRequests() {
    }

    public static SimRequest toSimRequest(TraceRecord r) {
        SimPrompt prompt = switch (r.prompt()) {
            case TraceRecord.Text t -> new SimPrompt.Text(t.text());
            case TraceRecord.Synthetic s -> new SimPrompt.Synthetic(s.tokens(), s.prefixGroup(), s.prefixTokens());
        };
        return new SimRequest(r.id(), Math.round(r.arrival() * 1e9), r.tenant(), r.priority(), r.session(), prompt,
                r.outputTokens());
    }

    /** The records as requests, mapped one at a time as the simulator takes them. */
    public static Iterator<SimRequest> of(List<TraceRecord> records) {
        return ADAPTER.adapt(records.iterator());
    }

    /**
     * A one-tenant trace spec from {@code key=value} pairs separated by commas: {@code duration}
     * and/or {@code requests} bound it (at least one is required), every other key is a
     * {@code flotilla bench trace --tenant} parameter ({@code rate}, {@code cv}, {@code prompt-median},
     * {@code prompt-sigma}, {@code output-median}, {@code prefix-groups}, {@code prefix-tokens},
     * {@code turns}, ...; see {@link TenantParameters}), e.g.
     * {@code rate=100,duration=1h,prompt-median=512,prefix-groups=8,prefix-tokens=256}.
     *
     * @param baseDir resolves relative {@code prompt-table}/{@code output-table} files
     * @throws IllegalArgumentException naming every bad key and value
     */
    public static TraceSpec syntheticSpec(String params, long seed, Path baseDir) {
        Map<String, String> p = new LinkedHashMap<>(TenantParameters.parse(params, "--synthetic"));
        String duration = p.remove("duration");
        String requests = p.remove("requests");
        if (duration == null && requests == null) {
            throw new IllegalArgumentException("--synthetic: no bound in '" + params
                    + "' (expected duration=..., requests=... or both)");
        }
        double seconds;
        long count;
        try {
            seconds = duration == null ? Double.POSITIVE_INFINITY : RateSchedule.seconds(duration);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--synthetic: duration=" + duration + " (" + e.getMessage() + ")", e);
        }
        try {
            count = requests == null ? Long.MAX_VALUE : Long.parseLong(requests);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--synthetic: requests=" + requests + " (expected a whole number)", e);
        }
        try {
            return new TraceSpec(seed, seconds, count, List.of(TenantParameters.tenant(Map.of(), p, baseDir,
                    "--synthetic")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith("--synthetic") ? e.getMessage()
                    : "--synthetic: " + e.getMessage(), e);
        }
    }
}
