package dev.flotilla.bench.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flotilla.bench.trace.TraceGenerator;
import dev.flotilla.bench.trace.TraceRecord;
import dev.flotilla.bench.trace.TraceSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceRequestsTest {

    @Test
    void toSimRequest_syntheticAndTextRecords_everyFieldMapped() {
        TraceRecord synthetic = new TraceRecord("r1", 1.5, "acme", 2, "s1", 3,
                new TraceRecord.Synthetic(300, "sys", 100), 64);
        TraceRecord text = TraceRecord.of("r2", 0.000001, new TraceRecord.Text("Hi there"), 8);

        assertThat(TraceRequests.toSimRequest(synthetic)).isEqualTo(
                new SimRequest("r1", 1_500_000_000L, "acme", 2, "s1", new SimPrompt.Synthetic(300, "sys", 100), 64));
        assertThat(TraceRequests.toSimRequest(text)).isEqualTo(
                new SimRequest("r2", 1_000L, "default", 0, null, new SimPrompt.Text("Hi there"), 8));
    }

    @Test
    void syntheticSpec_boundsAndTenantKeys_oneTenantSpecWithBoth() {
        TraceSpec spec = TraceRequests.syntheticSpec("rate=100,duration=1h,prompt-median=512,prefix-groups=8,"
                + "prefix-tokens=256,cv=2", 7, Path.of("."));

        assertThat(spec.seed()).isEqualTo(7);
        assertThat(spec.durationSeconds()).isEqualTo(3600);
        assertThat(spec.maxRequests()).isEqualTo(Long.MAX_VALUE);
        assertThat(spec.tenants()).singleElement().satisfies(t -> {
            assertThat(t.cv()).isEqualTo(2);
            assertThat(t.prefixes().groups()).isEqualTo(8);
            assertThat(t.prefixes().tokens()).isEqualTo(256);
        });
        assertThat(TraceRequests.syntheticSpec("requests=10", 1, Path.of(".")).maxRequests()).isEqualTo(10);
    }

    @Test
    void syntheticSpec_generated_mapsInArrivalOrder() {
        TraceSpec spec = TraceRequests.syntheticSpec("rate=20,requests=200,turns=3,think-time=1s", 3, Path.of("."));
        List<SimRequest> requests = new ArrayList<>();
        TraceRequests.of(TraceGenerator.generate(spec)).forEachRemaining(requests::add);

        assertThat(requests).hasSize(200);
        assertThat(requests).isSortedAccordingTo((a, b) -> Long.compare(a.arrivalNanos(), b.arrivalNanos()));
        assertThat(requests).anySatisfy(r -> assertThat(r.session()).isNotNull());
    }

    @Test
    void syntheticSpec_badParameters_namedWithTheOption() {
        assertThatThrownBy(() -> TraceRequests.syntheticSpec("rate=100", 1, Path.of(".")))
                .hasMessageContaining("--synthetic: no bound in 'rate=100' (expected duration=..., requests=... or both)");
        assertThatThrownBy(() -> TraceRequests.syntheticSpec("rate=fast,duration=1m,speed=3", 1, Path.of(".")))
                .hasMessageContaining("--synthetic")
                .hasMessageContaining("rate=fast")
                .hasMessageContaining("speed (unknown");
        assertThatThrownBy(() -> TraceRequests.syntheticSpec("duration=soon", 1, Path.of(".")))
                .hasMessageContaining("--synthetic: duration=soon");
        assertThatThrownBy(() -> TraceRequests.syntheticSpec("requests=many", 1, Path.of(".")))
                .hasMessageContaining("--synthetic: requests=many (expected a whole number)");
    }
}
