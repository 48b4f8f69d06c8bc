package dev.flotilla.protocol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser of the Prometheus text exposition format (version 0.0.4), for reading the metrics of our
 * nodes and of vLLM, SGLang or llama.cpp servers. The Prometheus Java client only writes this
 * format, so the reader is ours: samples only, {@code # HELP}/{@code # TYPE} lines are skipped.
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /** One sample line: name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {
        public String label(String key) {
            return labels.get(key);
        }
    }

    public static List<Sample> parse(String text) {
        List<Sample> out = new ArrayList<>();
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("line " + lineNo + ": cannot parse '" + line + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The value of the first sample with this name whose labels include all the given ones, or NaN. */
    public static double value(List<Sample> samples, String name, Map<String, String> labels) {
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) {
                return s.value();
            }
        }
        return Double.NaN;
    }

    private static Sample parseLine(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("missing metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i >= n) {
                    throw new IllegalArgumentException("unterminated label set");
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label without quoted value");
                }
                String key = line.substring(i, eq).strip();
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; j < n; j++) {
                    char c = line.charAt(j);
                    if (c == '\\' && j + 1 < n) {
                        char e = line.charAt(++j);
                        value.append(e == 'n' ? '\n' : e);
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (j >= n) {
                    throw new IllegalArgumentException("unterminated label value");
                }
                labels.put(key, value.toString());
                i = j + 1;
            }
        }
        String rest = line.substring(i).strip();
        int space = rest.indexOf(' ');
        String value = space < 0 ? rest : rest.substring(0, space);
        return new Sample(name, Map.copyOf(labels), parseValue(value));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
