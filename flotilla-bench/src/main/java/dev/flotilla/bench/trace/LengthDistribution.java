package dev.flotilla.bench.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.AliasMethodDiscreteSampler;
import org.apache.commons.statistics.distribution.ContinuousDistribution;
import org.apache.commons.statistics.distribution.LogNormalDistribution;

/** A distribution of token counts (prompt or output lengths), sampled as integers >= 1. */
public sealed interface LengthDistribution {

    /** A sampler drawing from {@code random}. */
    IntSupplier sampler(UniformRandomProvider random);

    /**
     * Log-normal: {@code exp(N(ln median, sigma^2))}, rounded and clamped to [min, max]. Sigma is the
     * spread of the logarithm: 0.5 puts the middle two thirds within a factor 1.65 of the median.
     */
    record LogNormal(double median, double sigma, int min, int max) implements LengthDistribution {
        public LogNormal {
            List<String> problems = new ArrayList<>();
            if (!(median >= 1) || Double.isInfinite(median)) {
                problems.add("median: " + median + " (expected >= 1)");
            }
            if (!(sigma >= 0) || Double.isInfinite(sigma)) {
                problems.add("sigma: " + sigma + " (expected >= 0)");
            }
            if (min < 1 || max < min) {
                problems.add("min/max: " + min + "/" + max + " (expected 1 <= min <= max)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
        }

        public static LogNormal of(double median, double sigma) {
            return new LogNormal(median, sigma, 1, Integer.MAX_VALUE);
        }

        @Override
        public IntSupplier sampler(UniformRandomProvider random) {
            if (sigma == 0) {
                int v = clamp(Math.round(median));
                return () -> v;
            }
            ContinuousDistribution.Sampler s = LogNormalDistribution.of(Math.log(median), sigma).createSampler(random);
            return () -> clamp(Math.round(s.sample()));
        }

        private int clamp(long v) {
            return (int) Math.max(min, Math.min(max, v));
        }
    }

    /** Always the same length. */
    record Fixed(int value) implements LengthDistribution {
        public Fixed {
            if (value < 1) {
                throw new IllegalArgumentException("value: " + value + " (expected >= 1)");
            }
        }

        @Override
        public IntSupplier sampler(UniformRandomProvider random) {
            return () -> value;
        }
    }

    /**
     * An empirical table: each value drawn with probability proportional to its weight (e.g. lengths
     * measured in production).
     */
    record Empirical(List<Bin> bins) implements LengthDistribution {
        /** One row of the table. */
        public record Bin(int value, double weight) {
        }

        public Empirical {
            bins = List.copyOf(bins);
            if (bins.isEmpty()) {
                throw new IllegalArgumentException("table: empty (expected rows of value,weight)");
            }
            double total = 0;
            for (Bin b : bins) {
                if (b.value() < 1) {
                    throw new IllegalArgumentException("table value: " + b.value() + " (expected >= 1)");
                }
                if (!(b.weight() >= 0) || Double.isInfinite(b.weight())) {
                    throw new IllegalArgumentException("table weight of " + b.value() + ": " + b.weight()
                            + " (expected >= 0)");
                }
                total += b.weight();
            }
            if (!(total > 0)) {
                throw new IllegalArgumentException("table: all weights 0 (expected a positive total)");
            }
        }

        @Override
        public IntSupplier sampler(UniformRandomProvider random) {
            double[] p = new double[bins.size()];
            for (int i = 0; i < p.length; i++) {
                p[i] = bins.get(i).weight();
            }
            // the alias method normalises the weights itself
            var s = AliasMethodDiscreteSampler.of(random, p);
            return () -> bins.get(s.sample()).value();
        }

        /**
         * Reads a table file: one {@code value,weight} per line; blank lines and lines starting with
         * {@code #} are skipped; a header line whose first field is not a number is skipped too.
         */
        public static Empirical read(Path file) {
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("table " + file + ": " + e.getMessage(), e);
            }
            List<Bin> bins = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\\s*[,;\\t]\\s*");
                String where = file + ":" + (i + 1);
                if (i == 0 && !parts[0].matches("-?[0-9.]+")) {
                    continue;
                }
                if (parts.length != 2) {
                    throw new IllegalArgumentException(where + ": '" + line + "' (expected value,weight)");
                }
                try {
                    bins.add(new Bin(Integer.parseInt(parts[0]), Double.parseDouble(parts[1])));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(where + ": '" + line
                            + "' (expected an integer value and a number weight)", e);
                }
            }
            try {
                return new Empirical(bins);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
    }
}
