package dev.flotilla.protocol;

import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Family;
import dev.flotilla.protocol.PrometheusText.MetricType;
import dev.flotilla.protocol.PrometheusText.Problem;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One pass over one exposition text. Bad lines are reported as problems by returning a reason
 * rather than by throwing, so that nothing in the input can make the lenient parse fail; the
 * format rules follow the Prometheus text format 0.0.4 description ("Exposition formats" in the
 * Prometheus documentation).
 */
final class ExpositionParser {
    // decimal notation only: Double.parseDouble alone would also take "1d", "0x1p3" and "Infinity"
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d{1,19}");
    private static final int SNIPPET = 80;

    private final String text;
    private final List<Sample> samples = new ArrayList<>();
    private final Map<String, MetricType> types = new LinkedHashMap<>();
    private final Map<String, String> helps = new LinkedHashMap<>();
    private final List<Problem> problems = new ArrayList<>();

    private String line;
    private int pos;

    ExpositionParser(String text) {
        this.text = text;
    }

    Exposition parse() {
        int start = 0;
        int lineNo = 0;
        int n = text.length();
        while (start < n) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = n;
            }
            lineNo++;
            int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
            line = text.substring(start, stop);
            pos = 0;
            String reason = parseLine();
            if (reason != null) {
                problems.add(new Problem(lineNo, reason + " in '" + snippet(line) + "'"));
            }
            start = end + 1;
        }
        return new Exposition(samples, families(), problems);
    }

    private Map<String, Family> families() {
        Set<String> names = new LinkedHashSet<>(types.keySet());
        names.addAll(helps.keySet());
        Map<String, Family> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, new Family(name, types.getOrDefault(name, MetricType.UNTYPED), helps.get(name)));
        }
        return out;
    }

    /** Returns null when the line was fine (or blank, or a plain comment), else why it was rejected. */
    private String parseLine() {
        skipBlanks();
        if (atEnd()) {
            return null;
        }
        if (line.charAt(pos) == '#') {
            pos++;
            return parseComment();
        }
        return parseSample();
    }

    private String parseComment() {
        skipBlanks();
        String keyword = readToken();
        boolean help = keyword.equals("HELP");
        if (!help && !keyword.equals("TYPE")) {
            return null;
        }
        if (!skipBlanks()) {
            return keyword + " line without a metric name";
        }
        String name = readMetricName();
        if (name.isEmpty()) {
            return keyword + " line without a valid metric name";
        }
        String shown = snippet(name);
        boolean separated = skipBlanks();
        if (!atEnd() && !separated) {
            return keyword + " line: unexpected character '" + line.charAt(pos) + "' after metric name " + shown;
        }
        return help ? help(name, shown) : type(name, shown);
    }

    private String help(String name, String shown) {
        if (helps.containsKey(name)) {
            return "second HELP line for " + shown;
        }
        helps.put(name, unescapeHelp(line.substring(pos)));
        return null;
    }

    private String type(String name, String shown) {
        String word = readToken();
        MetricType type = switch (word) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "untyped" -> MetricType.UNTYPED;
            default -> null;
        };
        if (type == null) {
            return word.isEmpty() ? "TYPE line without a type for " + shown
                    : "unknown metric type '" + snippet(word) + "' for " + shown
                            + " (expected counter, gauge, histogram, summary or untyped)";
        }
        skipBlanks();
        if (!atEnd()) {
            return "unexpected text after the type of " + shown;
        }
        if (types.containsKey(name)) {
            return "second TYPE line for " + shown;
        }
        types.put(name, type);
        return null;
    }

    private String parseSample() {
        String name = readMetricName();
        if (name.isEmpty()) {
            return "expected a metric name";
        }
        String shown = snippet(name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (!atEnd() && line.charAt(pos) == '{') {
            pos++;
            String reason = parseLabels(shown, labels);
            if (reason != null) {
                return reason;
            }
        }
        if (!skipBlanks()) {
            return atEnd() ? "missing value for " + shown
                    : "unexpected character '" + line.charAt(pos) + "' after " + shown;
        }
        String valueText = readToken();
        if (valueText.isEmpty()) {
            return "missing value for " + shown;
        }
        double value = parseValue(valueText);
        if (value != value && !isNaNWord(valueText)) {
            return "invalid value '" + snippet(valueText) + "' for " + shown;
        }
        OptionalLong timestamp = OptionalLong.empty();
        skipBlanks();
        if (!atEnd()) {
            String tsText = readToken();
            Long ts = parseTimestamp(tsText);
            if (ts == null) {
                return "invalid timestamp '" + snippet(tsText) + "' for " + shown + " (expected integer milliseconds)";
            }
            timestamp = OptionalLong.of(ts);
            skipBlanks();
            if (!atEnd()) {
                return "unexpected text after the timestamp of " + shown;
            }
        }
        String reason = checkSeries(name, labels);
        if (reason != null) {
            return reason;
        }
        samples.add(new Sample(name, labels, value, timestamp));
        return null;
    }

    private String parseLabels(String metric, Map<String, String> labels) {
        while (true) {
            skipBlanks();
            if (atEnd()) {
                return "unterminated label set of " + metric;
            }
            if (line.charAt(pos) == '}') {
                pos++;
                return null;
            }
            String name = readLabelName();
            if (name.isEmpty()) {
                return "expected a label name or '}' at column " + (pos + 1) + " of " + metric;
            }
            String key = snippet(name);
            skipBlanks();
            if (atEnd() || line.charAt(pos) != '=') {
                return "expected '=' after label " + key + " of " + metric;
            }
            pos++;
            skipBlanks();
            if (atEnd() || line.charAt(pos) != '"') {
                return "label " + key + " of " + metric + ": value must be in double quotes";
            }
            pos++;
            StringBuilder value = new StringBuilder();
            String reason = readLabelValue(value);
            if (reason != null) {
                return "label " + key + " of " + metric + ": " + reason;
            }
            if (labels.put(name, value.toString()) != null) {
                return "duplicate label " + key + " of " + metric;
            }
            skipBlanks();
            if (atEnd()) {
                return "unterminated label set of " + metric;
            }
            char c = line.charAt(pos);
            if (c == ',') {
                pos++;
            } else if (c != '}') {
                return "expected ',' or '}' after label " + key + " of " + metric;
            }
        }
    }

    private String readLabelValue(StringBuilder value) {
        while (pos < line.length()) {
            char c = line.charAt(pos++);
            if (c == '"') {
                return null;
            }
            if (c != '\\') {
                value.append(c);
                continue;
            }
            if (pos >= line.length()) {
                break;
            }
            char e = line.charAt(pos++);
            switch (e) {
                case '\\', '"' -> value.append(e);
                case 'n' -> value.append('\n');
                default -> {
                    return "invalid escape sequence '\\" + e + "' (expected \\\\, \\\" or \\n)";
                }
            }
        }
        return "unterminated label value";
    }

    /** Series of a typed family must carry the label that gives them meaning. */
    private String checkSeries(String name, Map<String, String> labels) {
        MetricType baseType = name.endsWith("_bucket")
                ? types.get(name.substring(0, name.length() - "_bucket".length())) : null;
        if (baseType == MetricType.HISTOGRAM && !types.containsKey(name)) {
            String le = labels.get("le");
            if (le == null) {
                return "histogram bucket " + snippet(name) + " without an 'le' label";
            }
            if (Double.isNaN(parseValue(le))) {
                return "histogram bucket " + snippet(name) + " with invalid le=\"" + snippet(le) + "\"";
            }
        }
        if (types.get(name) == MetricType.SUMMARY && labels.containsKey("quantile")) {
            double q = parseValue(labels.get("quantile"));
            if (!(q >= 0 && q <= 1)) {
                return "summary quantile of " + snippet(name) + " must be between 0 and 1, was \""
                        + snippet(labels.get("quantile")) + "\"";
            }
        }
        return null;
    }

    /** The value of a sample or an {@code le}/{@code quantile} label; NaN when it is not a number. */
    static double parseValue(String v) {
        switch (v) {
            case "+Inf", "Inf", "+inf", "inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf", "-inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            default -> {
                if (isNaNWord(v) || v.length() > 400 || !DECIMAL.matcher(v).matches()) {
                    return Double.NaN;
                }
                return Double.parseDouble(v);
            }
        }
    }

    private static boolean isNaNWord(String v) {
        return v.equals("NaN") || v.equals("nan");
    }

    private static Long parseTimestamp(String v) {
        if (!TIMESTAMP.matcher(v).matches()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return null; // 19 digits can still exceed the range of a long
        }
    }

    private static String unescapeHelp(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length() && (raw.charAt(i + 1) == '\\' || raw.charAt(i + 1) == 'n')) {
                out.append(raw.charAt(++i) == 'n' ? '\n' : '\\');
            } else {
                out.append(c);
            }
        }
        return out.toString().stripTrailing();
    }

    private boolean atEnd() {
        return pos >= line.length();
    }

    /** Skips spaces and tabs; true when it skipped at least one. */
    private boolean skipBlanks() {
        int from = pos;
        while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
            pos++;
        }
        return pos > from;
    }

    private String readToken() {
        int from = pos;
        while (pos < line.length() && line.charAt(pos) != ' ' && line.charAt(pos) != '\t') {
            pos++;
        }
        return line.substring(from, pos);
    }

    private String readMetricName() {
        return readName(true);
    }

    private String readLabelName() {
        return readName(false);
    }

    /** Reads {@code [a-zA-Z_(:)][a-zA-Z0-9_(:)]*}; empty (and nothing consumed) when none starts here. */
    private String readName(boolean colons) {
        int from = pos;
        while (pos < line.length()) {
            char c = line.charAt(pos);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || colons && c == ':'
                    || pos > from && c >= '0' && c <= '9';
            if (!ok) {
                break;
            }
            pos++;
        }
        return line.substring(from, pos);
    }

    private static String snippet(String s) {
        return s.length() <= SNIPPET ? s : s.substring(0, SNIPPET) + "...";
    }
}
