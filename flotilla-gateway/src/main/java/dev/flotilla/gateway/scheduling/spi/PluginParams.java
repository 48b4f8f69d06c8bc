package dev.flotilla.gateway.scheduling.spi;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of one plugin in a profile (plain values read from YAML: numbers, strings,
 * booleans), with the configuration path they came from so that every error names it. Remembers
 * which keys were read so that the caller can reject the ones no plugin knows.
 */
public final class PluginParams {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)");

    private final String path;
    private final Map<String, Object> values;
    private final Set<String> read = new HashSet<>();

    /** @param path where the parameters are in the configuration, e.g. {@code scheduling.profiles.p.scorers[0].params} */
    public PluginParams(String path, Map<String, ?> values) {
        this.path = path;
        this.values = new LinkedHashMap<>(values == null ? Map.of() : values);
    }

    /** No parameters (every plugin takes its defaults). */
    public static PluginParams none(String path) {
        return new PluginParams(path, Map.of());
    }

    public String path() {
        return path;
    }

    /** The path of one key, for error messages. */
    public String pathOf(String key) {
        return path + "." + key;
    }

    /** A number in [min, max], or {@code fallback} when absent. */
    public double number(String key, double fallback, double min, double max) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Number n) || Double.isNaN(n.doubleValue())) {
            throw new PluginConfigException(pathOf(key), v, "expected a number");
        }
        double d = n.doubleValue();
        if (d < min || d > max) {
            throw new PluginConfigException(pathOf(key), v, "expected a number from " + min + " to " + max);
        }
        return d;
    }

    /** A whole number in [min, max], or {@code fallback} when absent. */
    public long integer(String key, long fallback, long min, long max) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        boolean whole = v instanceof Integer || v instanceof Long || v instanceof Short
                || (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && !Double.isInfinite(n.doubleValue()));
        if (!whole) {
            throw new PluginConfigException(pathOf(key), v, "expected a whole number");
        }
        long l = ((Number) v).longValue();
        if (l < min || l > max) {
            throw new PluginConfigException(pathOf(key), v, "expected a whole number from " + min + " to " + max);
        }
        return l;
    }

    /** A string, or {@code fallback} when absent. */
    public String string(String key, String fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof String s)) {
            throw new PluginConfigException(pathOf(key), v, "expected a string");
        }
        return s;
    }

    /** true or false, or {@code fallback} when absent. */
    public boolean bool(String key, boolean fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new PluginConfigException(pathOf(key), v, "expected true or false");
        }
        return b;
    }

    /** A positive duration such as {@code 250ms}, {@code 1.5s}, {@code 2m}, or {@code fallback} when absent. */
    public Duration duration(String key, Duration fallback) {
        Object v = raw(key);
        if (v == null) {
            return fallback;
        }
        Matcher m = v instanceof String s ? DURATION.matcher(s.trim()) : null;
        if (m == null || !m.matches()) {
            throw new PluginConfigException(pathOf(key), v, "expected a duration like 250ms, 1.5s or 2m");
        }
        double amount = Double.parseDouble(m.group(1));
        double nanosPerUnit = switch (m.group(2)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        long nanos = Math.round(amount * nanosPerUnit);
        if (nanos <= 0) {
            throw new PluginConfigException(pathOf(key), v, "expected a duration above zero");
        }
        return Duration.ofNanos(nanos);
    }

    /** Fails naming the first key no read asked for (a misspelt parameter must not pass silently). */
    public void checkAllRead(String pluginType) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            String key = unknown.iterator().next();
            throw new PluginConfigException(pathOf(key), values.get(key),
                    "unknown parameter of the plugin '" + pluginType + "'");
        }
    }

    private Object raw(String key) {
        read.add(key);
        return values.get(key);
    }
}
