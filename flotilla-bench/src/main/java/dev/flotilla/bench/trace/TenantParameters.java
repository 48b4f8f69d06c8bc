package dev.flotilla.bench.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link TenantSpec} from {@code key=value} parameters, the form {@code flotilla bench
 * trace --tenant ...} takes. Keys and defaults:
 * <pre>
 * name=default  priority=0  rate=1 (or rate-schedule=0s:10;60s:50)  cv=1
 * prompt-median=256 prompt-sigma=0.5 prompt-max=(none)  or  prompt-table=FILE (value,weight rows)
 * output-median=128 output-sigma=0.5 output-max=(none)  or  output-table=FILE
 * prefix-groups=0 prefix-tokens=0 prefix-share=1
 * turns=1 think-time=10s
 * </pre>
 * Every problem is reported at once, each naming its key and value.
 */
public final class TenantParameters {
    public static final Set<String> KEYS = Set.of("name", "priority", "rate", "rate-schedule", "cv", "prompt-median",
            "prompt-sigma", "prompt-max", "prompt-table", "output-median", "output-sigma", "output-max", "output-table",
            "prefix-groups", "prefix-tokens", "prefix-share", "turns", "think-time");

    private TenantParameters() {
    }

    /**
     * Parses {@code key=value,key=value}; within a value, ';' separates rate-schedule points.
     *
     * @param where names the option in error messages, e.g. {@code --tenant}
     */
    public static Map<String, String> parse(String text, String where) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(where + ": '" + pair.strip() + "' in '" + text
                        + "' (expected key=value, e.g. name=batch,rate=2,priority=1)");
            }
            params.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return params;
    }

    /**
     * The tenant the parameters describe: {@code overrides} on top of {@code defaults}; relative
     * table files are resolved against {@code baseDir}.
     */
    public static TenantSpec tenant(Map<String, String> defaults, Map<String, String> overrides, Path baseDir,
                                    String where) {
        Map<String, String> p = new LinkedHashMap<>(defaults);
        p.putAll(overrides);
        List<String> problems = new ArrayList<>();
        for (String key : p.keySet()) {
            if (!KEYS.contains(key)) {
                problems.add(key + " (unknown; expected one of " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        Reader r = new Reader(p, problems);
        String name = p.getOrDefault("name", TraceRecord.DEFAULT_TENANT);
        int priority = (int) r.number("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        RateSchedule rate = null;
        if (overrides.containsKey("rate-schedule") || (!overrides.containsKey("rate") && p.containsKey("rate-schedule"))) {
            try {
                rate = RateSchedule.parse(p.get("rate-schedule"));
            } catch (IllegalArgumentException e) {
                problems.add("rate-schedule=" + p.get("rate-schedule") + " (" + e.getMessage() + ")");
            }
        } else {
            double perSecond = r.number("rate", 1, 0, Double.MAX_VALUE);
            rate = perSecond > 0 ? RateSchedule.constant(perSecond) : null;
            if (perSecond <= 0) {
                problems.add("rate=" + p.get("rate") + " (expected > 0 requests/s)");
            }
        }
        double cv = r.number("cv", 1, Double.MIN_VALUE, 100);
        LengthDistribution prompt = r.lengths("prompt", 256, baseDir);
        LengthDistribution output = r.lengths("output", 128, baseDir);
        int groups = (int) r.number("prefix-groups", 0, 0, 1_000_000);
        int prefixTokens = (int) r.number("prefix-tokens", 0, 0, 10_000_000);
        double share = r.number("prefix-share", 1, 0, 1);
        int turns = (int) r.number("turns", 1, 1, 10_000);
        double think = r.seconds("think-time", 10);
        if (groups > 0 && prefixTokens < 1) {
            problems.add("prefix-tokens=" + prefixTokens + " (expected >= 1 with prefix-groups=" + groups + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + " " + name + ": " + String.join("; ", problems));
        }
        try {
            return new TenantSpec(name, priority, rate, cv, prompt, output,
                    groups == 0 ? TenantSpec.Prefixes.NONE : new TenantSpec.Prefixes(groups, prefixTokens, share),
                    new TenantSpec.Sessions(turns, think));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + " " + name + ": " + e.getMessage(), e);
        }
    }

    private record Reader(Map<String, String> p, List<String> problems) {
        double number(String key, double fallback, double min, double max) {
            String v = p.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v);
                if (!(d >= min && d <= max)) {
                    problems.add(key + "=" + v + " (expected " + (min == Double.MIN_VALUE ? "> 0" : ">= " + fmt(min))
                            + (max >= Integer.MAX_VALUE ? "" : " and <= " + fmt(max)) + ")");
                    return fallback;
                }
                return d;
            } catch (NumberFormatException e) {
                problems.add(key + "=" + v + " (expected a number)");
                return fallback;
            }
        }

        double seconds(String key, double fallback) {
            String v = p.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                return RateSchedule.seconds(v);
            } catch (IllegalArgumentException e) {
                problems.add(key + "=" + v + " (" + e.getMessage() + ")");
                return fallback;
            }
        }

        LengthDistribution lengths(String prefix, double median, Path baseDir) {
            String table = p.get(prefix + "-table");
            if (table != null) {
                try {
                    return LengthDistribution.Empirical.read(baseDir.resolve(table));
                } catch (RuntimeException e) {
                    problems.add(prefix + "-table=" + table + " (" + e.getMessage() + ")");
                    return new LengthDistribution.Fixed(1);
                }
            }
            double m = number(prefix + "-median", median, 1, Integer.MAX_VALUE);
            double sigma = number(prefix + "-sigma", 0.5, 0, 10);
            int max = (int) number(prefix + "-max", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
            return new LengthDistribution.LogNormal(m, sigma, 1, max);
        }

        private static String fmt(double d) {
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
    }
}
