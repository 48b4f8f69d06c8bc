package dev.flotilla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
}
