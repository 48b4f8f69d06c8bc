package dev.flotilla.bench.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TraceGeneratorTest {

    private static TenantSpec tenant(String name, RateSchedule rate, double cv) {
        return new TenantSpec(name, 0, rate, cv, LengthDistribution.LogNormal.of(100, 0.5),
                LengthDistribution.LogNormal.of(50, 0.5), TenantSpec.Prefixes.NONE, TenantSpec.Sessions.NONE);
    }

    private static List<TraceRecord> generate(double duration, TenantSpec... tenants) {
        return TraceGenerator.generate(new TraceSpec(7, duration, Long.MAX_VALUE, List.of(tenants)));
    }

    private static double[] gaps(List<TraceRecord> records) {
        double[] gaps = new double[records.size() - 1];
        for (int i = 1; i < records.size(); i++) {
            gaps[i - 1] = records.get(i).arrival() - records.get(i - 1).arrival();
        }
        return gaps;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double cv(double[] v) {
        double m = mean(v);
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (v.length - 1)) / m;
    }

    @Test
    void generate_poissonRate_meanRateAndUnitCvOfGaps() {
        List<TraceRecord> records = generate(400, tenant("a", RateSchedule.constant(50), 1));

        assertThat(records.size() / 400.0).isCloseTo(50, within(1.5));
        assertThat(cv(gaps(records))).isCloseTo(1.0, within(0.05));
        assertThat(records).isSortedAccordingTo(Comparator.comparingDouble(TraceRecord::arrival));
        assertThat(records.getLast().arrival()).isLessThan(400);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"smooth, 0.5", "bursty, 2", "very bursty, 3"})
    void generate_gammaArrivals_gapsHaveRequestedCvAndMeanRate(String name, double cv) {
        List<TraceRecord> records = generate(400, tenant("a", RateSchedule.constant(50), cv));

        double[] gaps = gaps(records);
        assertThat(cv(gaps)).isCloseTo(cv, within(cv * 0.1));
        assertThat(1 / mean(gaps)).isCloseTo(50, within(50 * 0.1));
    }

    @Test
    void generate_rateSchedule_densityFollowsEachStep() {
        List<TraceRecord> records = generate(100, tenant("a", RateSchedule.parse("0s:10,50s:50"), 1));

        long early = records.stream().filter(r -> r.arrival() < 50).count();
        long late = records.size() - early;
        assertThat(early).isBetween(420L, 580L);
        assertThat(late).isBetween(2300L, 2700L);
    }

    @Test
    void generate_lengths_logNormalMedianAndSigmaOfRecords() {
        TenantSpec t = new TenantSpec("a", 0, RateSchedule.constant(100), 1, LengthDistribution.LogNormal.of(400, 0.8),
                LengthDistribution.LogNormal.of(120, 0.3), TenantSpec.Prefixes.NONE, TenantSpec.Sessions.NONE);
        List<TraceRecord> records = generate(200, t);

        double[] prompts = records.stream().mapToDouble(TraceRecord::promptTokens).sorted().toArray();
        double[] outputs = records.stream().mapToDouble(TraceRecord::outputTokens).sorted().toArray();
        assertThat(prompts[prompts.length / 2]).isCloseTo(400, within(400 * 0.04));
        assertThat(outputs[outputs.length / 2]).isCloseTo(120, within(120 * 0.04));
        assertThat(sdOfLog(prompts)).isCloseTo(0.8, within(0.8 * 0.04));
        assertThat(sdOfLog(outputs)).isCloseTo(0.3, within(0.3 * 0.06));
    }

    private static double sdOfLog(double[] v) {
        double[] logs = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            logs[i] = Math.log(v[i]);
        }
        return cv(logs) * mean(logs);
    }

    @Test
    void generate_sharedPrefixes_shareOfRequestsUsesKGroupsWithTheSameText() {
        TenantSpec t = new TenantSpec("chat", 2, RateSchedule.constant(100), 1, new LengthDistribution.Fixed(20),
                new LengthDistribution.Fixed(10), new TenantSpec.Prefixes(4, 300, 0.75), TenantSpec.Sessions.NONE);
        List<TraceRecord> records = generate(50, t);

        List<TraceRecord> grouped = records.stream()
                .filter(r -> ((TraceRecord.Synthetic) r.prompt()).prefixGroup() != null).toList();
        assertThat((double) grouped.size() / records.size()).isCloseTo(0.75, within(0.03));
        Map<String, List<TraceRecord>> byGroup = grouped.stream()
                .collect(Collectors.groupingBy(r -> ((TraceRecord.Synthetic) r.prompt()).prefixGroup()));
        assertThat(byGroup.keySet()).containsExactlyInAnyOrder("chat-p1", "chat-p2", "chat-p3", "chat-p4");
        for (List<TraceRecord> group : byGroup.values()) {
            assertThat(group).allSatisfy(r -> assertThat(r.promptTokens()).isEqualTo(320));
            String prefix = firstWords(PromptText.of(group.getFirst()), 300);
            assertThat(group).allSatisfy(r -> assertThat(firstWords(PromptText.of(r), 300)).isEqualTo(prefix));
            // the part after the prefix is each request's own
            assertThat(group.stream().map(PromptText::of).distinct().count()).isEqualTo(group.size());
        }
        assertThat(records).allSatisfy(r -> assertThat(r.priority()).isEqualTo(2));
    }

    private static String firstWords(String text, int n) {
        String[] words = text.split(" ");
        return String.join(" ", java.util.Arrays.copyOf(words, n));
    }

    @Test
    void generate_sessions_everyTurnExtendsThePreviousPromptAndAnswer() {
        TenantSpec t = new TenantSpec("agent", 0, RateSchedule.constant(2), 1, LengthDistribution.LogNormal.of(40, 0.5),
                LengthDistribution.LogNormal.of(30, 0.5), new TenantSpec.Prefixes(1, 50, 1), new TenantSpec.Sessions(4, 5));
        List<TraceRecord> records = generate(400, t);

        Map<String, List<TraceRecord>> sessions = records.stream()
                .collect(Collectors.groupingBy(r -> Objects.requireNonNull(r.session())));
        List<List<TraceRecord>> complete = sessions.values().stream().filter(s -> s.size() == 4).toList();
        assertThat(complete).hasSizeGreaterThan(600);
        for (List<TraceRecord> turns : complete) {
            assertThat(turns).extracting(TraceRecord::turn).containsExactly(1, 2, 3, 4);
            for (int k = 1; k < turns.size(); k++) {
                TraceRecord previous = turns.get(k - 1);
                TraceRecord current = turns.get(k);
                assertThat(current.arrival()).isGreaterThanOrEqualTo(previous.arrival());
                assertThat(current.promptTokens())
                        .isGreaterThan(previous.promptTokens() + previous.outputTokens());
                String before = PromptText.of(previous);
                String now = PromptText.of(current);
                assertThat(now).startsWith(before + " ");
                assertThat(now.split(" ")).hasSize(current.promptTokens());
            }
        }
        // think times: exponential with mean 5 s between turns
        List<Double> thinks = new ArrayList<>();
        for (List<TraceRecord> turns : complete) {
            for (int k = 1; k < turns.size(); k++) {
                thinks.add(turns.get(k).arrival() - turns.get(k - 1).arrival());
            }
        }
        assertThat(thinks.stream().mapToDouble(Double::doubleValue).average().orElseThrow()).isCloseTo(5, within(0.4));
    }

    @Test
    void generate_severalTenants_eachAtItsOwnRateAndPriority() {
        TenantSpec a = tenant("a", RateSchedule.constant(40), 1);
        TenantSpec b = new TenantSpec("b", 5, RateSchedule.constant(10), 2, new LengthDistribution.Fixed(7),
                new LengthDistribution.Fixed(3), TenantSpec.Prefixes.NONE, TenantSpec.Sessions.NONE);
        List<TraceRecord> records = generate(200, a, b);

        Map<String, Long> counts = records.stream().collect(Collectors.groupingBy(TraceRecord::tenant, Collectors.counting()));
        assertThat(counts.get("a") / 200.0).isCloseTo(40, within(2.0));
        assertThat(counts.get("b") / 200.0).isCloseTo(10, within(1.5));
        assertThat(records.stream().filter(r -> r.tenant().equals("b")))
                .allSatisfy(r -> {
                    assertThat(r.priority()).isEqualTo(5);
                    assertThat(r.promptTokens()).isEqualTo(7);
                    assertThat(r.outputTokens()).isEqualTo(3);
                });
        assertThat(records).isSortedAccordingTo(Comparator.comparingDouble(TraceRecord::arrival));
        assertThat(records).extracting(TraceRecord::id).doesNotHaveDuplicates().startsWith("r1", "r2");
    }

    @Test
    void generate_requestBound_keepsTheEarliestN() {
        List<TraceRecord> records = TraceGenerator.generate(new TraceSpec(1, Double.POSITIVE_INFINITY, 1234,
                List.of(tenant("a", RateSchedule.constant(5), 1))));

        assertThat(records).hasSize(1234);
        assertThat(records.getLast().id()).isEqualTo("r1234");
    }

    @Test
    void write_sameSeed_identicalBytes_otherSeed_otherBytes(@TempDir Path dir) throws IOException {
        TenantSpec t = new TenantSpec("x", 1, RateSchedule.parse("0s:20,5s:40"), 2.5, LengthDistribution.LogNormal.of(200, 1),
                LengthDistribution.LogNormal.of(80, 0.7), new TenantSpec.Prefixes(3, 100, 0.5), new TenantSpec.Sessions(3, 2));
        Path first = dir.resolve("a.jsonl");
        Path second = dir.resolve("b.jsonl");
        Path other = dir.resolve("c.jsonl");
        TraceWriter.write(first, TraceGenerator.generate(new TraceSpec(42, 20, Long.MAX_VALUE, List.of(t))));
        TraceWriter.write(second, TraceGenerator.generate(new TraceSpec(42, 20, Long.MAX_VALUE, List.of(t))));
        TraceWriter.write(other, TraceGenerator.generate(new TraceSpec(43, 20, Long.MAX_VALUE, List.of(t))));

        assertThat(Files.readAllBytes(first)).isEqualTo(Files.readAllBytes(second));
        assertThat(Files.readAllBytes(first)).isNotEqualTo(Files.readAllBytes(other));
        assertThat(Files.readString(first, StandardCharsets.UTF_8)).contains("\"session\":\"x-s1\"", "\"prefix_group\":\"x-p");
        // what was written reads back as the same records
        assertThat(TraceReader.read(first)).isEqualTo(TraceGenerator.generate(new TraceSpec(42, 20, Long.MAX_VALUE, List.of(t))));
    }
}
