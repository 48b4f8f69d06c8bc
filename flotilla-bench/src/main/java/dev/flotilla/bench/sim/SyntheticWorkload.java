package dev.flotilla.bench.sim;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simple seeded workload for the simulator when there is no trace: Poisson arrivals at a fixed
 * rate for a duration or a number of requests, prompt and output lengths fixed or log-normal
 * around a median, and optionally shared system prompts. Requests are generated lazily, so an hour
 * at 100 requests/s never sits in memory. (Richer workloads are traces: bursts, changing rates,
 * sessions, tenants.)
 *
 * @param rate          arrivals per second (Poisson)
 * @param durationSeconds arrivals stop after this many seconds (0: bounded by {@code requests} only)
 * @param requests      at most this many requests (0: bounded by the duration only)
 * @param promptTokens  median prompt length, tokens (own tokens, after any shared prefix)
 * @param promptSpread  log-normal sigma of the prompt length, 0 for a fixed length
 * @param outputTokens  median {@code max_tokens}
 * @param outputSpread  log-normal sigma of {@code max_tokens}, 0 for a fixed value
 * @param prefixGroups  shared system prompts, each request taking one at random (0: none)
 * @param prefixTokens  tokens of each shared system prompt, before the request's own tokens
 * @param seed          the same seed gives the same requests
 */
public record SyntheticWorkload(double rate, double durationSeconds, long requests, int promptTokens,
                                double promptSpread, int outputTokens, double outputSpread, int prefixGroups,
                                int prefixTokens, long seed) implements Iterable<SimRequest> {

    /** Keys of {@link #parse}, with their defaults. */
    public static final String DEFAULTS = "rate=10,duration=60s,requests=0,prompt=256,prompt-spread=0,"
            + "output=128,output-spread=0,prefix-groups=0,prefix-tokens=0";
    private static final Set<String> KEYS = Set.of("rate", "duration", "requests", "prompt", "prompt-spread",
            "output", "output-spread", "prefix-groups", "prefix-tokens");
    private static final Pattern SECONDS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    public SyntheticWorkload {
        List<String> p = new ArrayList<>();
        if (!(rate > 0) || Double.isInfinite(rate)) {
            p.add("rate: " + rate + " (expected requests/s > 0)");
        }
        if (!(durationSeconds >= 0) || Double.isInfinite(durationSeconds)) {
            p.add("duration: " + durationSeconds + " s (expected >= 0)");
        }
        if (requests < 0) {
            p.add("requests: " + requests + " (expected >= 0)");
        }
        if (durationSeconds == 0 && requests == 0) {
            p.add("duration and requests both 0 (expected a bound: duration=60s or requests=1000)");
        }
        if (promptTokens < 1) {
            p.add("prompt: " + promptTokens + " (expected tokens >= 1)");
        }
        if (outputTokens < 1) {
            p.add("output: " + outputTokens + " (expected tokens >= 1)");
        }
        if (!(promptSpread >= 0) || promptSpread > 5) {
            p.add("prompt-spread: " + promptSpread + " (expected a log-normal sigma 0..5)");
        }
        if (!(outputSpread >= 0) || outputSpread > 5) {
            p.add("output-spread: " + outputSpread + " (expected a log-normal sigma 0..5)");
        }
        if (prefixGroups < 0) {
            p.add("prefix-groups: " + prefixGroups + " (expected >= 0)");
        }
        if (prefixTokens < 0 || (prefixGroups == 0 && prefixTokens > 0) || (prefixGroups > 0 && prefixTokens == 0)) {
            p.add("prefix-tokens: " + prefixTokens + " with prefix-groups " + prefixGroups
                    + " (expected both 0, or both > 0)");
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException("synthetic workload: " + String.join("; ", p));
        }
    }

    /**
     * Parses {@code key=value} pairs separated by commas, e.g.
     * {@code rate=100,duration=1h,prompt=512,prompt-spread=0.5,output=128,prefix-groups=4,prefix-tokens=256};
     * durations take ms, s, m or h (plain numbers are seconds). Keys left out keep {@link #DEFAULTS}.
     */
    public static SyntheticWorkload parse(String spec, long seed) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : DEFAULTS.split(",")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], kv[1]);
        }
        List<String> problems = new ArrayList<>();
        boolean durationGiven = false;
        boolean requestsGiven = false;
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            String key = kv[0].trim().toLowerCase(Locale.ROOT);
            if (kv.length != 2 || !KEYS.contains(key)) {
                problems.add("'" + pair.trim() + "' (expected key=value with a key among: "
                        + String.join(", ", KEYS.stream().sorted().toList()) + ")");
                continue;
            }
            durationGiven |= key.equals("duration");
            requestsGiven |= key.equals("requests");
            values.put(key, kv[1].trim());
        }
        if (requestsGiven && !durationGiven) {
            values.put("duration", "0"); // a request count alone bounds the run
        }
        double rate = number(values, "rate", problems);
        double duration = seconds(values.get("duration"), problems);
        long requests = (long) number(values, "requests", problems);
        int prompt = (int) number(values, "prompt", problems);
        double promptSpread = number(values, "prompt-spread", problems);
        int output = (int) number(values, "output", problems);
        double outputSpread = number(values, "output-spread", problems);
        int groups = (int) number(values, "prefix-groups", problems);
        int prefix = (int) number(values, "prefix-tokens", problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("synthetic workload: " + String.join("; ", problems));
        }
        return new SyntheticWorkload(rate, duration, requests, prompt, promptSpread, output, outputSpread, groups,
                prefix, seed);
    }

    /** The parameters as {@link #parse} reads them. */
    public String describe() {
        return String.format(Locale.ROOT, "rate=%s,duration=%ss,requests=%d,prompt=%d,prompt-spread=%s,output=%d,"
                        + "output-spread=%s,prefix-groups=%d,prefix-tokens=%d", plain(rate), plain(durationSeconds),
                requests, promptTokens, plain(promptSpread), outputTokens, plain(outputSpread), prefixGroups,
                prefixTokens);
    }

    /** The requests, generated as they are taken; each iterator starts again from the seed. */
    @Override
    public Iterator<SimRequest> iterator() {
        return new Iterator<>() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private final double logPrompt = Math.log(promptTokens);
            private final double logOutput = Math.log(outputTokens);
            private double clock = -Math.log(1 - random.nextDouble()) / rate;
            private long made;

            @Override
            public boolean hasNext() {
                return (requests == 0 || made < requests) && (durationSeconds == 0 || clock < durationSeconds);
            }

            @Override
            public SimRequest next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("synthetic workload: no request after " + made);
                }
                made++;
                long arrival = Math.round(clock * 1e9);
                int own = length(logPrompt, promptSpread);
                int out = length(logOutput, outputSpread);
                SimPrompt prompt = prefixGroups == 0 ? SimPrompt.Synthetic.of(own)
                        : new SimPrompt.Synthetic(prefixTokens + own, "system-" + random.nextInt(prefixGroups),
                        prefixTokens);
                clock += -Math.log(1 - random.nextDouble()) / rate;
                return SimRequest.of("req-" + made, arrival, prompt, out);
            }

            private int length(double logMedian, double sigma) {
                if (sigma == 0) {
                    return (int) Math.round(Math.exp(logMedian));
                }
                return (int) Math.max(1, Math.min(1_000_000, Math.round(Math.exp(logMedian + sigma * random.nextGaussian()))));
            }
        };
    }

    private static double number(Map<String, String> values, String key, List<String> problems) {
        String v = values.get(key);
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(key + ": '" + v + "' (expected a number)");
        return 0;
    }

    private static double seconds(String v, List<String> problems) {
        Matcher m = SECONDS.matcher(v);
        if (!m.matches()) {
            problems.add("duration: '" + v + "' (expected a duration like 90s, 30m or 1h)");
            return 0;
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> amount / 1000;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
