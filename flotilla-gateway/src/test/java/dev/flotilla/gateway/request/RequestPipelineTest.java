package dev.flotilla.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flotilla.gateway.dispatch.NodeTimeoutException;
import dev.flotilla.gateway.dispatch.NodeUnreachableException;
import dev.flotilla.gateway.fleet.NodeRegistry;
import dev.flotilla.gateway.observability.GatewayMetrics;
import dev.flotilla.gateway.observability.Outcome;
import dev.flotilla.gateway.scheduling.Scheduler;
import dev.flotilla.gateway.scheduling.SchedulingPlugins;
import dev.flotilla.protocol.ApiException;
import java.net.ConnectException;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestPipelineTest {

    @Test
    void stageNames_areTheStoryInOrder() {
        NodeRegistry registry = new NodeRegistry(List.of(), Clock.systemUTC());
        RequestPipeline pipeline = new RequestPipeline(Scheduler.of(SchedulingPlugins.builtIn(), "least-requests"),
                registry, null, new GatewayMetrics(registry), System::nanoTime);
        assertThat(pipeline.stageNames()).containsExactly("parse", "authenticate", "admit", "candidates", "score",
                "pick", "dispatch", "stream", "complete");
    }

    static Stream<Arguments> outcomes() {
        return Stream.of(
                Arguments.of(Named.of("client cancel", new ClientCancelledException()), Outcome.CANCELLED),
                Arguments.of(Named.of("unreachable", new NodeUnreachableException("a", new ConnectException("refused"))),
                        Outcome.UNREACHABLE),
                Arguments.of(Named.of("timeout", new NodeTimeoutException("a", 5)), Outcome.TIMEOUT),
                Arguments.of(Named.of("invalid field", ApiException.invalidRequest("messages", "bad")), Outcome.CLIENT_ERROR),
                Arguments.of(Named.of("unknown model", ApiException.modelNotFound("m")), Outcome.CLIENT_ERROR),
                Arguments.of(Named.of("no node up", ApiException.unavailable("none")), Outcome.NO_NODE),
                Arguments.of(Named.of("bug", new IllegalStateException("x")), Outcome.INTERNAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void outcome_failure_mapsToMetricLabel(Throwable failure, Outcome expected) {
        assertThat(CompleteStage.outcome(failure)).isEqualTo(expected);
    }
}
