package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.flotilla.protocol.PrometheusText.Exposition;
import dev.flotilla.protocol.PrometheusText.Problem;
import dev.flotilla.protocol.PrometheusText.Sample;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of the lenient parser with Jazzer. The build runs this class in its own
 * surefire execution with {@code JAZZER_FUZZ=1}, so {@code ./mvnw verify} really fuzzes, for the
 * bounded time {@code flotilla.fuzz.duration} (see flotilla-protocol/pom.xml); seeds are in
 * {@code PrometheusTextFuzzTestInputs/} beside this class's resources, and any input that breaks
 * the test is written there by Jazzer so it is replayed from then on.
 */
class PrometheusTextFuzzTest {

    @DictionaryEntries({"# HELP ", "# TYPE ", " counter", " gauge", " histogram", " summary", " untyped",
            "{", "}", "=\"", "\",", "\\\"", "\\\\", "\\n", "_bucket", "_sum", "_count", "_total", "le=\"",
            "quantile=\"", "+Inf", "-Inf", "NaN", "1e-3", "vllm:"})
    @FuzzTest
    void parseLenient_anyInput_neverThrowsAndKeepsOnlyValidNames(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);

        Exposition result = PrometheusText.parseLenient(text);

        for (Sample sample : result.samples()) {
            assertThat(PrometheusText.isValidMetricName(sample.name()))
                    .as("metric name '%s'", sample.name()).isTrue();
            assertThat(sample.labels().keySet())
                    .allMatch(PrometheusText::isValidLabelName, "valid label name");
        }
        for (Problem problem : result.problems()) {
            assertThat(problem.line()).isPositive();
            assertThat(problem.reason()).isNotBlank();
        }
        int lines = text.split("\n", -1).length;
        assertThat(result.samples().size() + result.problems().size()).isLessThanOrEqualTo(lines);
    }
}
