package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Family;
import dev.flotilla.protocol.PrometheusText.MetricType;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PrometheusTextTest {

    @Test
    void parse_vllmStyleText_readsSamplesAndLabels() {
        String text = """
                # HELP vllm:num_requests_running Number of requests.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{model_name="stories260K"} 2.0
                vllm:e2e_request_latency_seconds_bucket{le="+Inf",model_name="a \\"q\\" b"} 17
                up 1 1700000000000
                nan_metric NaN
                """;
        List<PrometheusText.Sample> samples = PrometheusText.parse(text);
        assertThat(samples).hasSize(4);
        assertThat(PrometheusText.value(samples, "vllm:num_requests_running", Map.of("model_name", "stories260K")))
                .isEqualTo(2.0);
        assertThat(samples.get(1).label("le")).isEqualTo("+Inf");
        assertThat(samples.get(1).label("model_name")).isEqualTo("a \"q\" b");
        assertThat(samples.get(2).value()).isEqualTo(1.0);
        assertThat(samples.get(3).value()).isNaN();
        assertThat(PrometheusText.value(samples, "missing", Map.of())).isNaN();
    }

    @Test
    void parse_brokenLine_namesTheLine() {
        assertThatThrownBy(() -> PrometheusText.parse("ok 1\nbad{x=1} 2\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2");
    }

    static Stream<Arguments> features() {
        return Stream.of(
                arguments(named("plain sample", "a 1\n"), new Sample("a", Map.of(), 1)),
                arguments(named("no trailing newline", "a 1"), new Sample("a", Map.of(), 1)),
                arguments(named("colon in name", "vllm:x 2.5\n"), new Sample("vllm:x", Map.of(), 2.5)),
                arguments(named("comment lines", "# just a comment\n#\n# HELPER not help\na 1\n"),
                        new Sample("a", Map.of(), 1)),
                arguments(named("blank lines and whitespace-only lines", "\n\n   \n\t\na 1\n\n"),
                        new Sample("a", Map.of(), 1)),
                arguments(named("CRLF line ends", "# TYPE a gauge\r\na{b=\"c\"} 3\r\n"),
                        new Sample("a", Map.of("b", "c"), 3)),
                arguments(named("tabs and repeated blanks", "\ta{ b = \"c\" }\t  4 \t 17 \n"),
                        new Sample("a", Map.of("b", "c"), 4, OptionalLong.of(17))),
                arguments(named("empty label set", "a{} 1\n"), new Sample("a", Map.of(), 1)),
                arguments(named("trailing comma in labels", "a{b=\"1\",c=\"2\",} 1\n"),
                        new Sample("a", Map.of("b", "1", "c", "2"), 1)),
                arguments(named("escaped backslash", "a{p=\"C:\\\\dir\"} 1\n"),
                        new Sample("a", Map.of("p", "C:\\dir"), 1)),
                arguments(named("escaped quote", "a{m=\"say \\\"hi\\\"\"} 1\n"),
                        new Sample("a", Map.of("m", "say \"hi\""), 1)),
                arguments(named("escaped newline", "a{m=\"two\\nlines\"} 1\n"),
                        new Sample("a", Map.of("m", "two\nlines"), 1)),
                arguments(named("braces, commas and # inside a label value", "a{m=\"{x=1,#}\"} 1\n"),
                        new Sample("a", Map.of("m", "{x=1,#}"), 1)),
                arguments(named("UTF-8 label value", "a{m=\"Grüße 日本\"} 1\n"),
                        new Sample("a", Map.of("m", "Grüße 日本"), 1)),
                arguments(named("NaN", "a NaN\n"), new Sample("a", Map.of(), Double.NaN)),
                arguments(named("+Inf", "a +Inf\n"), new Sample("a", Map.of(), Double.POSITIVE_INFINITY)),
                arguments(named("-Inf", "a -Inf\n"), new Sample("a", Map.of(), Double.NEGATIVE_INFINITY)),
                arguments(named("exponent", "a 1.5e-3\n"), new Sample("a", Map.of(), 0.0015)),
                arguments(named("negative value", "a -42\n"), new Sample("a", Map.of(), -42)),
                arguments(named("leading dot", "a .5\n"), new Sample("a", Map.of(), 0.5)),
                arguments(named("timestamp", "a 1 1700000000000\n"),
                        new Sample("a", Map.of(), 1, OptionalLong.of(1_700_000_000_000L))),
                arguments(named("negative timestamp", "a 1 -5\n"),
                        new Sample("a", Map.of(), 1, OptionalLong.of(-5))),
                arguments(named("histogram bucket with +Inf", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 9\n"),
                        new Sample("h_bucket", Map.of("le", "+Inf"), 9)),
                arguments(named("summary quantile", "# TYPE s summary\ns{quantile=\"0.99\"} 0.2\n"),
                        new Sample("s", Map.of("quantile", "0.99"), 0.2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("features")
    void parseLenient_formatFeature_readsTheSampleWithoutProblems(String text, Sample expected) {
        Exposition result = PrometheusText.parseLenient(text);

        assertThat(result.problems()).isEmpty();
        assertThat(result.samples()).hasSize(1);
        Sample actual = result.samples().getFirst();
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.labels()).isEqualTo(expected.labels());
        assertThat(Double.compare(actual.value(), expected.value())).as("value %s", actual.value()).isZero();
        assertThat(actual.timestampMillis()).isEqualTo(expected.timestampMillis());
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                arguments(named("unquoted label value", "bad{x=1} 2"), "value must be in double quotes"),
                arguments(named("unterminated label value", "bad{x=\"1} 2"), "unterminated label value"),
                arguments(named("unterminated label set", "bad{x=\"1\" 2"), "expected ',' or '}'"),
                arguments(named("label set cut at the end", "bad{x=\"1\","), "unterminated label set"),
                arguments(named("invalid escape", "bad{x=\"a\\tb\"} 1"), "invalid escape sequence"),
                arguments(named("duplicate label", "bad{x=\"1\",x=\"2\"} 1"), "duplicate label x"),
                arguments(named("label name with a colon", "bad{a:b=\"1\"} 1"), "expected '='"),
                arguments(named("label without '='", "bad{x} 1"), "expected '='"),
                arguments(named("name starting with a digit", "1bad 1"), "expected a metric name"),
                arguments(named("name with a dash", "bad-name 1"), "unexpected character '-'"),
                arguments(named("missing value", "bad"), "missing value for bad"),
                arguments(named("missing value after labels", "bad{x=\"1\"}   "), "missing value for bad"),
                arguments(named("word as value", "bad one"), "invalid value 'one'"),
                arguments(named("Java double suffix", "bad 1d"), "invalid value '1d'"),
                arguments(named("hex float", "bad 0x1p3"), "invalid value '0x1p3'"),
                arguments(named("Java Infinity spelling", "bad Infinity"), "invalid value 'Infinity'"),
                arguments(named("fractional timestamp", "bad 1 1.5"), "invalid timestamp '1.5'"),
                arguments(named("timestamp beyond a long", "bad 1 99999999999999999999"), "invalid timestamp"),
                arguments(named("text after the timestamp", "bad 1 2 3"), "unexpected text after the timestamp"),
                arguments(named("unknown TYPE", "# TYPE bad nonsense"), "unknown metric type 'nonsense'"),
                arguments(named("TYPE without type", "# TYPE bad"), "TYPE line without a type"),
                arguments(named("TYPE without name", "# TYPE"), "TYPE line without a metric name"),
                arguments(named("HELP with invalid name", "# HELP 9x help"), "without a valid metric name"),
                arguments(named("histogram bucket without le", "# TYPE h histogram\nh_bucket 1"),
                        "without an 'le' label"),
                arguments(named("histogram bucket with bad le", "# TYPE h histogram\nh_bucket{le=\"x\"} 1"),
                        "invalid le=\"x\""),
                arguments(named("summary quantile above 1", "# TYPE s summary\ns{quantile=\"2\"} 1"),
                        "must be between 0 and 1"),
                arguments(named("binary noise", "\u0000\u0001\uFFFD{}"), "expected a metric name"),
                arguments(named("second TYPE line", "# TYPE a gauge\n# TYPE a counter"), "second TYPE line for a"),
                arguments(named("second HELP line", "# HELP a one\n# HELP a two"), "second HELP line for a"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void parseLenient_garbageLine_keepsGoodSamplesAndReportsTheLine(String bad, String reason) {
        String text = "good_before 1\n" + bad + "\ngood_after 2\n";
        int badLine = 1 + (int) bad.lines().count();

        Exposition result = PrometheusText.parseLenient(text);

        assertThat(result.samples()).extracting(Sample::name).contains("good_before", "good_after")
                .doesNotContain("bad");
        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().getFirst().line()).isEqualTo(badLine);
        assertThat(result.problems().getFirst().reason()).contains(reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void parseStrict_garbageLine_throwsNamingTheLine(String bad, String reason) {
        String text = "good_before 1\n" + bad + "\n";
        int badLine = 1 + (int) bad.lines().count();

        assertThatThrownBy(() -> PrometheusText.parseStrict(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line " + badLine + ": ")
                .hasMessageContaining(reason);
    }

    @Test
    void parseLenient_histogramSummaryAndCounter_tellsFamiliesApartByType() {
        String text = """
                # HELP ttft_seconds Time to first token.\\nIn seconds, with a \\\\ backslash.
                # TYPE ttft_seconds histogram
                ttft_seconds_bucket{le="0.1"} 3
                ttft_seconds_bucket{le="+Inf"} 5
                ttft_seconds_sum 0.42
                ttft_seconds_count 5
                # TYPE rpc summary
                rpc{quantile="0.5"} 0.01
                rpc_sum 1e3
                rpc_count 7
                # TYPE tokens_total counter
                tokens_total 12
                # TYPE tokens counter
                tokens_total 12
                # TYPE load gauge
                load 0.5
                load_count 1
                free 3
                """;

        Exposition result = PrometheusText.parseLenient(text);

        assertThat(result.problems()).isEmpty();
        assertThat(result.families().get("ttft_seconds"))
                .isEqualTo(new Family("ttft_seconds", MetricType.HISTOGRAM,
                        "Time to first token.\nIn seconds, with a \\ backslash."));
        assertThat(result.typeOf("ttft_seconds_bucket")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(result.typeOf("ttft_seconds_sum")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(result.typeOf("ttft_seconds_count")).isEqualTo(MetricType.HISTOGRAM);
        assertThat(result.typeOf("rpc")).isEqualTo(MetricType.SUMMARY);
        assertThat(result.typeOf("rpc_count")).isEqualTo(MetricType.SUMMARY);
        assertThat(result.typeOf("tokens_total")).isEqualTo(MetricType.COUNTER);
        assertThat(result.familyOf("tokens_total").name()).isEqualTo("tokens_total");
        assertThat(result.typeOf("load")).isEqualTo(MetricType.GAUGE);
        assertThat(result.typeOf("load_count")).as("a gauge has no _count series").isEqualTo(MetricType.UNTYPED);
        assertThat(result.typeOf("free")).isEqualTo(MetricType.UNTYPED);
        assertThat(result.samples("ttft_seconds_bucket")).extracting(Sample::value).containsExactly(3.0, 5.0);
        assertThat(result.samples("ttft_seconds_bucket").get(1).label("le")).isEqualTo("+Inf");
        assertThat(result.has("rpc_sum")).isTrue();
        assertThat(result.has("rpc_bucket")).isFalse();
    }

    @Test
    void parseLenient_counterTypedWithoutSuffix_resolvesTheTotalSeries() {
        Exposition result = PrometheusText.parseLenient("# TYPE req counter\nreq_total 3\nreq_created 1.7e9\n");

        assertThat(result.typeOf("req_total")).isEqualTo(MetricType.COUNTER);
        assertThat(result.typeOf("req_created")).isEqualTo(MetricType.COUNTER);
        assertThat(result.familyOf("req_bucket")).isNull();
    }

    @Test
    void parseLenient_manyBadLines_reportsEachWithItsLineNumber() {
        Exposition result = PrometheusText.parseLenient("a 1\r\nb x\r\n\r\nc{ 1\r\nd 4\r\n");

        assertThat(result.samples()).extracting(Sample::name).containsExactly("a", "d");
        assertThat(result.problems()).extracting(PrometheusText.Problem::line).containsExactly(2, 4);
        assertThat(result.problems().getFirst().toString()).startsWith("line 2: invalid value 'x' for b");
    }

    @Test
    void parseLenient_veryLongGarbageLine_abbreviatesItInTheReason() {
        String bad = "x".repeat(10_000) + " value";

        Exposition result = PrometheusText.parseLenient(bad);

        assertThat(result.problems()).hasSize(1);
        assertThat(result.problems().getFirst().reason()).hasSizeLessThan(300).contains("...");
    }

    @Test
    void isValidMetricName_examples_followThePrometheusRules() {
        assertThat(PrometheusText.isValidMetricName("vllm:num_requests_running")).isTrue();
        assertThat(PrometheusText.isValidMetricName("_x9")).isTrue();
        assertThat(PrometheusText.isValidMetricName("9x")).isFalse();
        assertThat(PrometheusText.isValidMetricName("")).isFalse();
        assertThat(PrometheusText.isValidMetricName("a-b")).isFalse();
        assertThat(PrometheusText.isValidLabelName("model_name")).isTrue();
        assertThat(PrometheusText.isValidLabelName("a:b")).isFalse();
    }
}
