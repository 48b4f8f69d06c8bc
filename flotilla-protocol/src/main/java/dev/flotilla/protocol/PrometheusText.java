package dev.flotilla.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Parser of the Prometheus text exposition format (version 0.0.4), for reading the metrics of our
 * nodes and of vLLM, SGLang, llama.cpp or TGI servers. The Prometheus Java client only writes this
 * format, so the reader is ours.
 *
 * <p>Two ways to read: {@link #parseLenient(String)} never throws on bad input and returns the good
 * samples together with a list of {@link Problem}s (what a scraper wants: one broken line from an
 * engine must not hide the rest), while {@link #parseStrict(String)} and {@link #parse(String)}
 * throw an {@link IllegalArgumentException} naming the first bad line (what a test wants).
 */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * One sample line: metric name, labels, value and the optional timestamp in milliseconds since
     * the epoch that the exposer attached.
     */
    public record Sample(String name, Map<String, String> labels, double value, OptionalLong timestampMillis) {
        public Sample {
            Objects.requireNonNull(name, "name");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(timestampMillis, "timestampMillis");
        }

        /** A sample without a timestamp. */
        public Sample(String name, Map<String, String> labels, double value) {
            this(name, labels, value, OptionalLong.empty());
        }

        public String label(String key) {
            return labels.get(key);
        }
    }

    /** The metric types of a {@code # TYPE} line; {@link #UNTYPED} also for families without one. */
    public enum MetricType {
        COUNTER, GAUGE, HISTOGRAM, SUMMARY, UNTYPED
    }

    /**
     * What the {@code # TYPE} and {@code # HELP} lines said about one metric family.
     *
     * @param help the unescaped help text, or null when there was no HELP line
     */
    public record Family(String name, MetricType type, String help) {
    }

    /** A line that was not understood (1-based line number) and why. */
    public record Problem(int line, String reason) {
        @Override
        public String toString() {
            return "line " + line + ": " + reason;
        }
    }

    /**
     * The result of reading one exposition text.
     *
     * @param samples  every sample line that parsed, in text order
     * @param families the families named by TYPE or HELP lines, by family name
     * @param problems the lines that were rejected, in text order; empty for a clean text
     */
    public record Exposition(List<Sample> samples, Map<String, Family> families, List<Problem> problems) {
        public Exposition {
            samples = List.copyOf(samples);
            families = Map.copyOf(families);
            problems = List.copyOf(problems);
        }

        /**
         * The family a sample name belongs to: the family of that exact name, or the histogram,
         * summary or counter family it is a {@code _bucket}/{@code _sum}/{@code _count}/{@code
         * _total}/{@code _created} series of; null when no TYPE or HELP line covers it.
         */
        public Family familyOf(String sampleName) {
            Family exact = families.get(sampleName);
            if (exact != null) {
                return exact;
            }
            for (String suffix : SERIES_SUFFIXES) {
                if (sampleName.endsWith(suffix)) {
                    Family base = families.get(sampleName.substring(0, sampleName.length() - suffix.length()));
                    if (base != null && seriesOf(base.type(), suffix)) {
                        return base;
                    }
                }
            }
            return null;
        }

        /** The type of the family a sample name belongs to, {@link MetricType#UNTYPED} when unknown. */
        public MetricType typeOf(String sampleName) {
            Family family = familyOf(sampleName);
            return family == null ? MetricType.UNTYPED : family.type();
        }

        /** Whether any sample has this exact name. */
        public boolean has(String sampleName) {
            for (Sample s : samples) {
                if (s.name().equals(sampleName)) {
                    return true;
                }
            }
            return false;
        }

        /** The samples with this exact name, in text order. */
        public List<Sample> samples(String sampleName) {
            List<Sample> out = new ArrayList<>();
            for (Sample s : samples) {
                if (s.name().equals(sampleName)) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    static final List<String> SERIES_SUFFIXES = List.of("_bucket", "_sum", "_count", "_total", "_created");

    static boolean seriesOf(MetricType type, String suffix) {
        return switch (type) {
            case HISTOGRAM -> !suffix.equals("_total");
            case SUMMARY -> suffix.equals("_sum") || suffix.equals("_count") || suffix.equals("_created");
            case COUNTER -> suffix.equals("_total") || suffix.equals("_created");
            case GAUGE, UNTYPED -> false;
        };
    }

    /**
     * Reads an exposition text without ever throwing on its content: good lines become samples and
     * families, bad ones become {@link Problem}s.
     */
    public static Exposition parseLenient(String text) {
        return new ExpositionParser(Objects.requireNonNull(text, "text")).parse();
    }

    /**
     * Reads an exposition text that must be entirely valid.
     *
     * @throws IllegalArgumentException naming the line number, the line and the reason of the first problem
     */
    public static Exposition parseStrict(String text) {
        Exposition result = parseLenient(text);
        if (!result.problems().isEmpty()) {
            Problem first = result.problems().getFirst();
            throw new IllegalArgumentException("line " + first.line() + ": " + first.reason());
        }
        return result;
    }

    /**
     * The samples of an exposition text that must be entirely valid ({@link #parseStrict(String)}).
     *
     * @throws IllegalArgumentException naming the first bad line
     */
    public static List<Sample> parse(String text) {
        return parseStrict(text).samples();
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

    /** Whether a string is a valid metric name ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}). */
    public static boolean isValidMetricName(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':'
                    || i > 0 && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether a string is a valid label name ({@code [a-zA-Z_][a-zA-Z0-9_]*}). */
    public static boolean isValidLabelName(String name) {
        return isValidMetricName(name) && name.indexOf(':') < 0;
    }
}
